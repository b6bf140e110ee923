# progress.awk: make check's table (tools/grade/progress.sh), one row per
# exercise: chapter, exercise, state, points, max_points, message, test.
#
#   awk -F'\t' -v OFS='\t' -f progress.awk contract.tsv tests.tsv broken.tsv calls.tsv results.tsv
#
# contract.tsv: chapter, rank, exercise (the header's order); tests.tsv:
# chapter, test, points, description (check-chN --list); broken.tsv: chapter,
# compile|grader, message; calls.tsv: chapter, test, the exercises the
# reference calls (comma-separated; /dev/null for none); results.tsv: the
# judge's rows (chapter, test, status, points, max, message, output,
# description, calls). The states and whose a failure is: progress.sh's header.
function unescape(s,   r, i, c) {
    r = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\\" && i < length(s)) {
            c = substr(s, ++i, 1)
            c = c == "n" ? "\n" : c == "t" ? "\t" : c == "r" ? "\r" : c
        }
        r = r c
    }
    return r
}
function has(set, x) { return index(set, "," x ",") > 0 }
function first(set) { split(substr(set, 2), a, ","); return a[1] }
function size(set) { return gsub(/,/, ",", set) - 1 }
# The exercise a crash or an endless loop happened in, as the judge names it
# ("crashed in F: ...", "F did not finish within ..."), or "": that test's
# failure is F's, whichever exercise the test is of.
function culprit(ch, m,   f) {
    f = ""
    if (match(m, /^crashed in [A-Za-z_][A-Za-z0-9_]*/)) f = substr(m, 12, RLENGTH - 11)
    else if (match(m, /^[A-Za-z_][A-Za-z0-9_]* did not finish within /)) { f = m; sub(/ .*/, "", f) }
    return ((ch, f) in isex) ? f : ""
}
FILENAME == ARGV[1] { ex[$1, ++nex[$1]] = $3; isex[$1, $3] = 1; if (!($1 in seen)) { seen[$1]; order[++nch] = $1 }; next }
FILENAME == ARGV[2] { k = ++nt[$1]; tname[$1, k] = $2; tmax[$1, k] = $3; tdesc[$1, k] = $4; key[$1, $2] = k; next }
FILENAME == ARGV[3] { broken[$1] = $2; bmsg[$1] = $3; next }
FILENAME == ARGV[4] { if ($1 ~ /^[0-9]+$/) refcalls[$1, $2] = $3; next }
FILENAME == ARGV[5] {
    if (!(($1, $2) in key)) next
    k = key[$1, $2]; stat[$1, k] = $3; pts[$1, k] = $4 + 0
    msg[$1, k] = unescape($6); sub(/\n.*/, "", msg[$1, k]); calls[$1, k] = $9
    next
}
END {
    for (c = 1; c <= nch; c++) {
        ch = order[c]
        # Each test: what it calls (F), what it is of (about), where a TODO stopped it.
        for (k = 1; k <= nt[ch]; k++) {
            F = ","; m = split(refcalls[ch, tname[ch, k]] "," calls[ch, k], fs, ",")
            for (i = 1; i <= m; i++) if (isex[ch, fs[i]] && !has(F, fs[i])) F = F fs[i] ","
            d = tdesc[ch, k]
            if (match(d, /^[A-Za-z_][A-Za-z0-9_]*:/) && isex[ch, substr(d, 1, RLENGTH - 1)]) {
                about[ch, k] = "," substr(d, 1, RLENGTH - 1) ","
                if (!has(F, substr(d, 1, RLENGTH - 1))) F = F substr(d, 1, RLENGTH - 1) ","
            } else about[ch, k] = F
            fset[ch, k] = F
            st = (ch, k) in stat ? stat[ch, k] : "none"
            if (st == "todo") {
                s = ""
                if (match(msg[ch, k], /exercise [A-Za-z_][A-Za-z0-9_]*/)) s = substr(msg[ch, k], RSTART + 9, RLENGTH - 9)
                if (!isex[ch, s]) s = first(F)
                stop[ch, k] = s
                if (size(about[ch, k]) == 1 && s == first(about[ch, k])) ownbad[ch, s] = 1
            } else if (st != "pass" && st != "error" && st != "none") {
                cf = culprit(ch, msg[ch, k])
                if (cf != "") ownbad[ch, cf] = 1
                else if (size(about[ch, k]) == 1) ownbad[ch, first(about[ch, k])] = 1
            }
        }
        for (e = 1; e <= nex[ch]; e++) {
            E = ex[ch, e]; got = 0; max = 0; wrong = 0; notstarted = 0; gerr = 0; waitfor = ""; m1 = ""; t1 = ""; ntests = 0
            for (k = 1; k <= nt[ch]; k++) {
                if (!has(fset[ch, k], E)) continue
                ntests++; max += tmax[ch, k]
                st = (ch, k) in stat ? stat[ch, k] : "none"
                if (st == "pass") { got += pts[ch, k]; continue }
                if (st == "none") continue
                if (st == "todo") {
                    if (stop[ch, k] == E) notstarted = 1
                    else if (waitfor == "") waitfor = stop[ch, k]
                    continue
                }
                if (st == "error") { if (!gerr) { gerr = 1; gm = tname[ch, k] ": " msg[ch, k]; gt = tname[ch, k] }; continue }
                # A failure: whose?
                A = about[ch, k]; blamed = A; cf = culprit(ch, msg[ch, k])
                if (cf != "") blamed = "," cf ","
                else if (size(A) > 1) {
                    sus = ","; m = split(substr(A, 2), as, ",")
                    for (i = 1; i < m; i++) if (ownbad[ch, as[i]]) sus = sus as[i] ","
                    if (sus != ",") blamed = sus
                }
                if (has(blamed, E)) { if (!wrong) { wrong = 1; m1 = tname[ch, k] ": " msg[ch, k]; t1 = tname[ch, k] } }
                else if (waitfor == "") waitfor = first(blamed)
            }
            if (ch in broken) {
                state = broken[ch] == "compile" ? "does not compile" : "not graded"
                m1 = bmsg[ch]; t1 = ""
            } else if (wrong) state = "wrong"
            else if (notstarted) state = "not started"
            else if (gerr) { state = "grader error"; m1 = gm; t1 = gt }
            else if (waitfor != "") state = "waits for " waitfor
            else if (ntests == 0) state = "no tests"
            else state = "done"
            gsub(/[\t\r\n]/, " ", m1)
            print ch, E, state, got, max, m1, t1
        }
    }
}
