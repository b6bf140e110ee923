#!/usr/bin/env bash
# classroom.sh [--per-test]: prints a GitHub Classroom autograding workflow
# for the workbook (`make classroom`; `make student-dist` puts it in the
# student copy as .github/workflows/classroom.yml).
#
# GitHub Classroom gives a test its points when its command exits 0. Here a
# test is a chapter:
#
#   make -s grade CH=N MIN_POINTS=full     exit 0 only with all of chapter N's points
#
# worth the points of chapter N's public tests. With --per-test, a test is one
# graded test, `make check-chN ONLY=NAME`, worth its points:
# partial credit within a chapter. Hidden tests are not in a student's copy;
# they run in the instructor's grading (Gradescope or make grade-all).
set -euo pipefail
cd "$(dirname "$0")/../.."
per_test=0
[ "${1:-}" = --per-test ] && per_test=1
BUILD=${BUILD:-build}
PKGS="build-essential pkg-config check libsubunit-dev libopenblas-dev zlib1g-dev libyaml-dev"

chapters=()
for d in chapters/[0-9][0-9]-*/main.c; do [ -e "$d" ] || continue; n=${d#chapters/}; n=${n%%-*}; n=$((10#$n)); compgen -G "tests/ch$n/*.c" >/dev/null && chapters+=("$n"); done

# The public tests of chapter $1, "name<TAB>points<TAB>what", from whichever
# build there is.
list() {
    make -s --no-print-directory "$BUILD/bin/check-ch$1" >/dev/null 2>&1 || true
    [ -x "$BUILD/bin/check-ch$1" ] && "$BUILD/bin/check-ch$1" --list && return 0
    echo "classroom: cannot list the tests of chapter $1 (make $BUILD/bin/check-ch$1)" >&2
    return 1
}
title() { sed -n 's/^[[:space:]]*[0-9]*, "\(.*\)",[[:space:]]*$/\1/p' tests/ch"$1"/*.c | head -n 1; }
# YAML single-quoted scalar
q() { printf "'%s'" "${1//\'/\'\'}"; }

cat <<EOF
# GitHub Classroom autograding for the MNIST workbook, made by tools/grade/classroom.sh.
# Put it in the assignment's template repository as .github/workflows/classroom.yml.
name: Autograding Tests
'on':
- push
- repository_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
    - name: Checkout code
      uses: actions/checkout@v4
    - name: Install what the workbook builds with
      run: sudo apt-get update -q && sudo apt-get install -y -q --no-install-recommends $PKGS
EOF
ids=()
for n in "${chapters[@]}"; do
    tests=$(list "$n")
    if [ $per_test = 0 ]; then
        points=$(awk -F'\t' '{ p += $2 } END { print p + 0 }' <<<"$tests")
        id=chapter-$n
        ids+=("$id")
        t=$(title "$n")
        cat <<EOF
    - name: $(q "Chapter $n${t:+: $t}")
      id: $id
      uses: classroom-resources/autograding-command-grader@v1
      with:
        test-name: $(q "Chapter $n${t:+: $t}")
        command: make -s grade CH=$n MIN_POINTS=full
        timeout: 10
        max-score: $points
EOF
    else
        while IFS=$'\t' read -r name points what; do
            id=ch$n-${name//_/-}
            ids+=("$id")
            cat <<EOF
    - name: $(q "ch$n $name: $what")
      id: $id
      uses: classroom-resources/autograding-command-grader@v1
      with:
        test-name: $(q "ch$n $name")
        setup-command: make -s $BUILD/bin/check-ch$n $BUILD/bin/subject-ch$n-exercises
        command: $BUILD/bin/check-ch$n --subject $BUILD/bin/subject-ch$n-exercises --only $name
        timeout: 2
        max-score: $points
EOF
        done <<<"$tests"
    fi
done
echo "    - name: Autograding Reporter"
echo "      uses: classroom-resources/autograding-grading-reporter@v1"
echo "      env:"
for id in "${ids[@]}"; do
    echo "        ${id^^}_RESULTS: \"\${{steps.$id.outputs.result}}\""
done
echo "      with:"
echo "        runners: $(IFS=,; echo "${ids[*]}")"
