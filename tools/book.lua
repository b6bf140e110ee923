--[[
book.lua: the pandoc Lua filter that builds the book out of the real sources
and the real runs (pandoc 2.17 or later).

    pandoc --lua-filter tools/book.lua book.md ...

Every path below is relative to the directory pandoc runs in (the top of the
project), never to the markdown file that names it. Anything missing fails the
build: the filter collects every problem it finds, then stops pandoc with a
non-zero status and one line per problem, each naming the markdown file, the
file it wanted and, where there is one, the region or the key.

The conventions
---------------

Code region: an empty fenced code block with class `region`

    ```{.region file="lib/idx.c" name="read-header"}
    ```

becomes the lines between the marker lines `//> read-header` and
`//< read-header` in lib/idx.c, as a code block, with the file's path in a
small line under it. A marker line is a whole line: optional indentation, the
comment leader, `>` (open) or `<` (close), optional spaces, the name. The
leader is `//` in C; `#` (gnuplot, shell, YAML, Makefile) and `--` (Lua) work
the same way. Marker lines never reach the book, including those of other
regions nested inside; the indentation the lines share is removed, and so are
blank lines at either end. Without `name`, the whole file (less its marker
lines). A region opened twice, never opened, never closed, or empty fails.
The language comes from the extension (.c .h: c; .gp .gnuplot .plt: gnuplot;
.sh: bash; .yaml .yml: yaml; .lua: lua; .mk, Makefile: makefile; .md:
markdown) or from a `lang="..."` attribute. In HTML the listing is
<div class="listing"> holding the <pre> and <div class="listing-source">; in
LaTeX \wbnextsource{...} comes before the listing and \wbsourceleftover
after it, and tools/book.tex prints that line in the listing's shaded box,
under its last line (without book.tex, a plain line under the listing).

That line is the file's path and, for a region of a C file (.c, .h), the
functions it comes from:

    lib/train.c, in train_step()             the region is inside its body
    lib/train.c, defines train_step()        the region holds its definition
    chapters/03-backprop/ch3.h, declares net_forward()     ... its prototype
    chapters/01-data/ch1.h, declares a(), b(), c(), ...    more than three

A region that holds definitions or prototypes names them (in order; "defines"
when one of them is a definition); otherwise the function whose body holds
the region's first line; otherwise (a struct, constants) the path alone, as
for other languages and for a whole file. The functions are found by counting
braces outside comments, strings and preprocessor lines: a "type name(...)"
at the top level followed by { is a definition, followed by ; a prototype.

Every region is quoted: a region that no document of the book names fails the
build, listed with its file, name and line, so that markers do not outlive the
listing they were for. The book is both editions: the document pandoc reads
(book.md), every markdown file it includes, at any depth, with the divs of
both editions, and the file named by `instructor-appendix`, read as they are on
disk (a generated file not yet written is skipped there). The regions are
those of the files git tracks under lib/, chapters/, exercises/, solutions/,
tests/, tools/ and figures/ (every file there, outside a git work tree),
binary files skipped. A region counts as quoted only by its name: a whole-file
listing drops all markers. tools/book-regions-unused.txt lists, one
`file name` a line (# comments), the regions of chapters/ that may go
unquoted until those chapters are rewritten; a line whose region is quoted,
or is no longer there, or that is outside chapters/, fails too, so the list
can only shrink. A test's markers are best written so that no whole line is
one (tests/book/common.sh writes @> and turns it into //>). A preview of one
chapter skips this check: pandoc -M preview=true ... chapters/x.md.

Run value: an inline span

    []{.value run="ch1" key="example_mean"}

becomes, as plain text, the value of that key in
build/runs/ch1-solutions/values.tsv (lines `key<TAB>value`; blank lines and
lines starting with `#` are skipped). `file="path/values.tsv"` instead of `run`
names another file. What is inside the brackets is dropped. A missing file, a
missing key, a key given twice or a line without a tab fails.

Run claim: an inline span

    [momentum stops sooner]{.claim run="ch4" key="mom_stops_sooner"}

stays the text inside the brackets, and holds the prose to the run: the key's
value must be `yes` (the program wrote that the claim holds, e.g. "the mean
epoch of the runs with momentum is below the others'"). `no`, or any other
value, fails the build, with the claim's text, so that a sentence about a run
cannot outlive the run it was true of. `run` and `file` as for a value.

Included markdown: a fenced block with class `include`

    ```{.include file="chapters/01-data/01-data.md"}
    ```

becomes that file parsed as markdown (the same reader options as the book),
processed by these same rules, so regions, values, figures and further
includes inside it work. book.md includes its chapters this way, and chapters
include the tables a run wrote (build/runs/ch1-solutions/stats.md). An include
that includes itself, directly or not, fails.

Verbatim output: a fenced block with class `output`

    ```{.output file="build/runs/ch3-solutions/table1.txt"}
    ```

becomes that file's text, as it is, in a plain code block (class `output`,
except in LaTeX, where any class would make pandoc highlight it).

Table from a TSV file: a fenced block with class `table`

    ```{.table #tbl:results file="build/runs/ch4-solutions/results.tsv"
      header="run | test accuracy: the study | ours, seed 1 | ours, mean ± sd (seeds)"
      row="{label} | {study_acc:%.2f}% | {acc:%.2f}% | {mean:%.2f} ± {sd:%.2f}% ({seeds:%d})"
      align="lrrr" caption="The study's test accuracy beside ours."}
    ```

becomes a real table (pandoc's Table: HTML and LaTeX alike) of the TSV file
`file`: a header line of column names, then one line per row, fields
separated by tabs. One table row per data line, in order. `header` and `row`
hold one cell per column, separated by a bar with spaces around it (" | ",
or a line break beside the bar), so that $|w|$ stays one cell. A header cell
is inline markdown ($W_1$, *ours*). A row cell is a template: `{name}` is
column `name`'s text, inserted literally (every punctuation character is
escaped, so data such as under_score or a*b never becomes markup; inside
$...$ use a format instead); `{name:FORMAT}` is the column as a number, with
FORMAT a printf conversion for one number (%d, %.2f, %.3g, %.4e, %+.1f, ...:
flags, width, precision, one of d i e E f F g G; %d wants an integer) or
`sci:N`, which writes $1.2225 \times 10^{-6}$ (the mantissa from %.Ne, N
digits after the point; an exponent of 0 gives the mantissa alone; inf gives
$\text{inf}$), as chapter 3's sci() did; or `label`, which writes the markdown
that the attribute `labels="W1=$W_1$ (input to hidden); all=all"` gives the
field's value (a value it does not name fails). Text outside braces is literal
(a % needs no doubling); a literal brace in a template is written {{ or }}.
The cell is then read as inline markdown, so `$\lambda = {lambda:%g}$` is
math. A cell any of whose fields is empty, nan, -nan or NA (any case) is a
single en dash, –. `align` is one letter per column, l, r or c (default: l
for the first column, r for the others). `widths="3 2 1 1"` gives the
columns' shares of the line (one positive number each), for a table too wide
for the page: LaTeX then wraps its cells; without it, a table wider than a
line gets shares from its cells (each column its longest word, the rest in
proportion to its widest cell), and a narrower one columns as wide as their
cells. `caption` (inline markdown) and an
identifier #tbl:x make the table numbered and referable (@tbl:x) like any
captioned table (below); without a caption it has no number, and an
identifier without a caption fails. `empty="ok"` allows a TSV with no data
line (a table of its header alone); otherwise that fails too, as do a
missing file, a column the TSV's header line does not name, a format that is
none of the above, a field that is not a number where a format wants one, a
data line with more or fewer fields than the header line, a column named
twice, a brace that opens or closes no field, and header and row (or align,
or widths) with different numbers of cells. Each message names the markdown
file, the TSV file and the column or the line.

Figures: ordinary markdown images,

    ![Sixteen training digits.](build/runs/ch1-solutions/digits.svg){#fig:digits}

must exist. For LaTeX (and beamer) output an .svg is swapped for the .pdf of
the same name beside it, which the chapter programs write too, and that is the
file that must exist. URLs and data: images are left alone.

Unnumbered chapters (`# Before you start {.unnumbered}`) also set LaTeX's
running head, which \chapter* alone leaves at the previous chapter's title.

A fenced block that carries a `file` attribute but none of the classes region,
include, output or table fails too (a typo such as `.regoin` would otherwise
print an empty code block), as does a span with a `key` but no class `value`.

Numbers and cross-references
----------------------------

The filter numbers chapters, sections, figures, tables and equations the way
LaTeX's book class does (chapter 2's third figure is 2.3; an appendix's is
A.1), and writes the numbers into the HTML; in LaTeX, LaTeX numbers them and
the filter only puts the \label where LaTeX needs it. Labels:

    # Softmax regression {#sec:softmax}            a chapter or section
    ![Caption.](build/runs/ch2-solutions/c.svg){#fig:curves}   a figure
    $$y_k = \frac{e^{a_k}}{\sum_j e^{a_j}}$$ {#eq:softmax}    an equation
    : Caption of the table below or above it. {#tbl:results}  a table

(the equation's label on the same line as its closing $$, or the next; a
table is numbered only when it has a caption, as in LaTeX; a figure or
equation without a label is numbered too, only not referable). A reference is
a citation of the label, in the style of pandoc-crossref:

    @fig:curves, [@fig:curves]      Figure 2.3   (linked)
    [-@fig:curves]                  2.3          (the number alone)
    [@fig:a; @fig:b]                Figures 2.3 and 2.4
    @sec:softmax                    Chapter 2    (Section 2.1 for a section,
                                                  Appendix A in the appendix,
                                                  the title for an unnumbered one)
    @eq:softmax                     Equation (2.1);  [-@eq:softmax]: (2.1)
    [see @fig:a, left]              see Figure 2.3, left

A plain link to an identifier, [the softmax figure](#fig:curves), works too.
A reference to a label that is nowhere in the book, a link to a missing
#identifier, a citation that is not a reference (the book has no
bibliography: a literal @ before a word is written \@), a label defined
twice, a label of the wrong kind (#fig: on a table) and a {#...} label left
standing in the text (labelling nothing) all fail the build. Headings that
share an automatic identifier across chapters (two "## Exercises") are made
unique (exercises, exercises-1), as pandoc does within one file. With the
environment variable BOOK_LABELS=path, the filter also writes every numbered
label as `id<TAB>kind<TAB>number` to that file, so that a check can hold
LaTeX's numbers (its .aux) to the HTML's.

A div with class `chapter-list` (`::: chapter-list` / `:::`) becomes the list
of the book's numbered chapters and appendices, each linked, so that the
front matter says what this copy holds without naming chapters by hand.

Editions
--------

`-M edition=student` (the default) or `-M edition=instructor`. A div with
class `instructor` is kept (unwrapped) only in the instructor edition, one
with class `student` only in the student edition. In the student edition a
region from solutions/ fails the build, so no solution code can reach it. The
instructor edition appends, after the last chapter, the markdown file named by
the metadata key `instructor-appendix` (book.md names tools/book-instructor.md:
the solutions and the grading guide); its first chapter carries the class
`appendix`, which starts the appendices (\appendix in LaTeX, A, B, ... in
HTML), and the subtitle gets a line saying which edition this is.
--]]

local stringify = pandoc.utils.stringify

local problems = {}   -- every failure found, reported together at the end
local stack = {}      -- the markdown files being read, innermost last

local function here()
  return stack[#stack] or "(stdin)"
end

local function fail(msg)
  table.insert(problems, here() .. ": " .. msg)
end

local function is_latex()
  return FORMAT == "latex" or FORMAT == "beamer"
end

local function is_html()
  return FORMAT:match("^html") ~= nil or FORMAT == "epub" or FORMAT == "epub3"
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

local function file_exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

local function split_lines(text)
  local lines = {}
  text = text:gsub("\r\n", "\n")
  if text:sub(-1) ~= "\n" then text = text .. "\n" end
  for line in text:gmatch("([^\n]*)\n") do table.insert(lines, line) end
  return lines
end

-- The attribute `name` of el, or nil when absent or empty.
local function attr(el, name)
  local v = el.attributes[name]
  if v == nil or v == "" then return nil end
  return v
end

---------------------------------------------------------------------------
-- Code regions

-- A marker line: "//> name", "#< name", "--> name", ... Returns the
-- direction ('>' or '<') and the name, or nil.
local LEADERS = { "//", "#", "%-%-" }
local function marker(line)
  for _, lead in ipairs(LEADERS) do
    local dir, name = line:match("^%s*" .. lead .. "([<>])%s*([%w_%.:%-]+)%s*$")
    if dir then return dir, name end
  end
  return nil
end

local LANGS = {
  c = "c", h = "c", gp = "gnuplot", gnuplot = "gnuplot", plt = "gnuplot",
  sh = "bash", bash = "bash", yaml = "yaml", yml = "yaml", lua = "lua",
  mk = "makefile", md = "markdown", py = "python", tex = "latex",
}

-- The comment leader a file's markers are written with, for messages.
local function leader(path)
  local ext = path:match("%.(%w+)$")
  if ext == "c" or ext == "h" then return "//" end
  if ext == "lua" then return "--" end
  return "#"
end

local function language(path)
  local base = path:match("([^/]*)$")
  if base == "Makefile" or base == "makefile" or base == "GNUmakefile" then return "makefile" end
  local ext = base:match("%.([%w]+)$")
  return ext and LANGS[ext:lower()] or nil
end

-- Drops marker lines, the indentation every non-blank line shares, and blank
-- lines at either end.
local function tidy(lines)
  local kept = {}
  for _, l in ipairs(lines) do
    if not marker(l) then table.insert(kept, l) end
  end
  while #kept > 0 and kept[1]:match("^%s*$") do table.remove(kept, 1) end
  while #kept > 0 and kept[#kept]:match("^%s*$") do table.remove(kept) end
  local indent = nil
  for _, l in ipairs(kept) do
    if not l:match("^%s*$") then
      local lead = #l:match("^[ \t]*")
      if indent == nil or lead < indent then indent = lead end
    end
  end
  indent = indent or 0
  for i, l in ipairs(kept) do
    l = l:gsub("%s+$", "")
    kept[i] = l:sub(indent + 1)
  end
  return kept
end

-- The lines of region `name` in `path` and where the region is ({ open,
-- close: its marker lines; first: its first line shown; text: the file's
-- text }, nil for a whole file), or nil and the reason.
local function extract(path, name)
  local text = read_file(path)
  if text == nil then
    return nil, "source file " .. path .. " not found" ..
      (name and (" (wanted region \"" .. name .. "\")") or "")
  end
  local lines = split_lines(text)
  if name == nil then return tidy(lines) end
  local open, close = nil, nil
  for i, l in ipairs(lines) do
    local dir, n = marker(l)
    if n == name then
      if dir == ">" then
        if open then
          return nil, "region \"" .. name .. "\" is opened twice in " .. path ..
            " (lines " .. open .. " and " .. i .. ")"
        end
        open = i
      elseif open and not close then
        close = i
      end
    end
  end
  if not open then
    return nil, "region \"" .. name .. "\" not found in " .. path ..
      " (no marker line \"" .. leader(path) .. "> " .. name .. "\")"
  end
  if not close then
    return nil, "region \"" .. name .. "\" in " .. path .. " is not closed (opened on line " ..
      open .. ", no \"" .. leader(path) .. "< " .. name .. "\" after it)"
  end
  local body = {}
  for i = open + 1, close - 1 do table.insert(body, lines[i]) end
  body = tidy(body)
  if #body == 0 then
    return nil, "region \"" .. name .. "\" in " .. path .. " is empty"
  end
  -- The first line the listing shows, for the function that holds it.
  local first = open + 1
  for i = open + 1, close - 1 do
    if not marker(lines[i]) and not lines[i]:match("^%s*$") then first = i break end
  end
  return body, { open = open, close = close, first = first, text = text }
end

---------------------------------------------------------------------------
-- Which C functions a region belongs to (the line under a listing says
-- "lib/train.c, in train_step()"). Not a C parser: comments, strings and
-- preprocessor lines are skipped, braces are counted, and at the top level
-- (outside every brace) "type name(...) {" is a function's definition and
-- "type name(...);" its prototype. That is all the workbook's sources need.

-- The tokens of C source text that matter here, each { t = text, line = n }:
-- identifiers and ( ) { } ; =.
local function c_tokens(text)
  local toks, i, n, line, bol = {}, 1, #text, 1, true
  while i <= n do
    local c = text:sub(i, i)
    if c == "\n" then
      line, bol, i = line + 1, true, i + 1
    elseif c:match("%s") then
      i = i + 1
    elseif bol and c == "#" then
      -- A preprocessor line and its continuation lines; the loop counts the
      -- newline that ends it.
      while true do
        local e = text:find("\n", i, true)
        if not e then i = n + 1 break end
        if text:sub(i, e - 1):match("\\%s*$") then line, i = line + 1, e + 1
        else i = e break end
      end
    elseif text:sub(i, i + 1) == "//" then
      i = text:find("\n", i, true) or n + 1
    elseif text:sub(i, i + 1) == "/*" then
      local e = text:find("*/", i + 2, true) or n - 1
      for _ in text:sub(i, e):gmatch("\n") do line = line + 1 end
      bol, i = false, e + 2
    elseif c == '"' or c == "'" then
      local j = i + 1
      while j <= n do
        local d = text:sub(j, j)
        if d == "\\" then j = j + 2
        elseif d == c or d == "\n" then break
        else j = j + 1 end
      end
      bol, i = false, (text:sub(j, j) == "\n") and j or j + 1
    else
      bol = false
      local word = text:match("^[%a_][%w_]*", i)
      if word then
        table.insert(toks, { t = word, line = line })
        i = i + #word
      else
        local num = text:match("^%d[%w_%.]*", i)
        if num then i = i + #num
        else
          if c:match("[(){};=]") then table.insert(toks, { t = c, line = line }) end
          i = i + 1
        end
      end
    end
  end
  return toks
end

local NOT_FUNCTIONS = { ["if"] = true, ["while"] = true, ["for"] = true, ["switch"] = true,
  ["return"] = true, ["sizeof"] = true, ["_Alignof"] = true, ["_Static_assert"] = true }
local ATTRIBUTES = { __attribute__ = true, __asm__ = true, asm = true, __declspec = true }

-- The name token of the function a top-level statement defines or declares
-- ("static double f(const double *x, int n)"), or nil: the identifier before
-- its last parenthesized group, with a type before it (without one it is a
-- macro's call, "START_TEST(x)"), and no "=" (an initializer).
local function function_name(stmt)
  local k = #stmt
  while k >= 1 and stmt[k].t == ")" do
    local depth, j = 0, k
    while j >= 1 do
      if stmt[j].t == ")" then depth = depth + 1
      elseif stmt[j].t == "(" then
        depth = depth - 1
        if depth == 0 then break end
      end
      j = j - 1
    end
    local name = stmt[j - 1]
    if j < 2 or not name.t:match("^[%a_]") then return nil end
    if not ATTRIBUTES[name.t] then
      if j < 3 or NOT_FUNCTIONS[name.t] then return nil end
      for m = 1, j - 2 do
        if stmt[m].t == "=" or stmt[m].t == "typedef" then return nil end
      end
      return name
    end
    k = j - 2   -- "f(void) __attribute__((noreturn))": the group before the attribute
  end
  return nil
end

-- The functions of C source text: defs = { { name, line, open, close } }
-- (the lines of the name and of the body's braces) and protos = { { name,
-- line } }, in order.
local function c_outline(text)
  local defs, protos = {}, {}
  local depth, stmt, current = 0, {}, nil
  for _, tk in ipairs(c_tokens(text)) do
    local t = tk.t
    if depth == 0 then
      if t == "{" then
        local name = function_name(stmt)
        if name then
          current = { name = name.t, line = name.line, open = tk.line }
          table.insert(defs, current)
        end
        depth, stmt = 1, {}
      elseif t == ";" then
        local name = function_name(stmt)
        if name then table.insert(protos, { name = name.t, line = name.line }) end
        stmt = {}
      elseif t == "}" then
        stmt = {}
      else
        table.insert(stmt, tk)
      end
    elseif t == "{" then
      depth = depth + 1
    elseif t == "}" then
      depth = depth - 1
      if depth == 0 then
        if current then current.close, current = tk.line, nil end
        stmt = {}
      end
    end
  end
  return { defs = defs, protos = protos }
end

local outlines = {}  -- path -> c_outline of that file

-- What the line under a listing of region `span` of `path` says after the
-- path: { verb = "in" | "defines" | "declares", names = { ... } }, or nil
-- (not C, or not about any function). Functions whose name the region
-- holds come first; otherwise the function whose body holds its first line.
local MAX_NAMES = 3
local function region_functions(path, span)
  if not span or not path:match("%.[ch]$") then return nil end
  outlines[path] = outlines[path] or c_outline(span.text)
  local o = outlines[path]
  local found, defines = {}, false
  local function take(list, is_def)
    for _, f in ipairs(list) do
      if f.line > span.open and f.line < span.close then
        table.insert(found, f)
        defines = defines or is_def
      end
    end
  end
  take(o.defs, true)
  take(o.protos, false)
  if #found > 0 then
    table.sort(found, function(a, b) return a.line < b.line end)
    local names, seen = {}, {}
    for _, f in ipairs(found) do
      if not seen[f.name] then seen[f.name] = true table.insert(names, f.name) end
    end
    return { verb = defines and "defines" or "declares", names = names }
  end
  for _, f in ipairs(o.defs) do
    if span.first >= f.open and span.first <= (f.close or math.huge) then
      return { verb = "in", names = { f.name } }
    end
  end
  return nil
end

-- In LaTeX a listing is announced before its code block with
-- \wbnextsource{\texttt{path}, in \texttt{f()}}; tools/book.tex prints that
-- line inside the listing's shaded box, under its last line and never on a
-- page of its own, and \wbsourceleftover prints it under a listing that had
-- no box (plain verbatim). LATEX_DEFAULTS, put at the start of the body,
-- defines plain versions of both for when book.tex is not there.
local LATEX_DEFAULTS = [[
\makeatletter
\@ifundefined{wbnextsource}{%
  \gdef\wbsourcepending{}%
  \newcommand{\wbnextsource}[1]{\gdef\wbsourcepending{#1}}%
  \newcommand{\wbsourceleftover}{\ifx\wbsourcepending\empty\else
    \par\nopagebreak{\raggedleft\footnotesize\wbsourcepending\par}%
    \gdef\wbsourcepending{}\fi}}{}
\makeatother]]

-- The line under a listing: the path, then the functions it comes from
-- ("lib/train.c, in train_step()"; "ch3.h, declares a(), b(), c(), ...").
local function source_line(path, fns)
  local out = pandoc.List { pandoc.Code(path) }
  if not fns then return out end
  out:extend { pandoc.Str(","), pandoc.Space(), pandoc.Str(fns.verb) }
  for i, name in ipairs(fns.names) do
    if i > MAX_NAMES then
      out:extend { pandoc.Str(","), pandoc.Space(), pandoc.Str("...") }
      break
    end
    if i > 1 then out:insert(pandoc.Str(",")) end
    out:extend { pandoc.Space(), pandoc.Code(name .. "()") }
  end
  return out
end

local function listing_source(inlines)
  return pandoc.Div({ pandoc.Plain(inlines) }, pandoc.Attr("", { "listing-source" }))
end

local edition = "student"   -- or "instructor": -M edition=...

local function region_block(cb)
  local path, name = attr(cb, "file"), attr(cb, "name")
  if not path then
    fail("a region block has no file=\"...\"")
    return {}
  end
  if edition ~= "instructor" and path:gsub("^%./", ""):match("^solutions/") then
    fail("the student edition shows no solution code, but a region names " .. path ..
      (name and (" (region \"" .. name .. "\")") or "") ..
      "; put it in a ::: instructor div or in the instructor appendix")
    return {}
  end
  local lines, span = extract(path, name)
  if not lines then
    fail(span)  -- the reason, when there are no lines
    return {}
  end
  local lang = attr(cb, "lang") or language(path)
  local text = table.concat(lines, "\n")
  local source = source_line(path, region_functions(path, span))
  if is_latex() then
    local before = pandoc.Plain { pandoc.RawInline("latex", "\\wbnextsource{") }
    before.content:extend(source)
    before.content:insert(pandoc.RawInline("latex", "}"))
    local code = pandoc.CodeBlock(text, pandoc.Attr(cb.identifier, { lang }))
    return { before, code, pandoc.RawBlock("latex", "\\wbsourceleftover") }
  end
  local code = pandoc.CodeBlock(text, pandoc.Attr("", { lang }))
  return pandoc.Div({ code, listing_source(source) }, pandoc.Attr(cb.identifier, { "listing" }))
end

---------------------------------------------------------------------------
-- Run values

local tables = {}  -- path -> { key -> value } or { error = why }

local function load_values(path)
  if tables[path] then return tables[path] end
  local t = {}
  local text = read_file(path)
  if text == nil then
    t = { ["\0error"] = "values file " .. path .. " not found" }
  else
    for i, line in ipairs(split_lines(text)) do
      if not (line:match("^%s*$") or line:match("^#")) then
        local k, v = line:match("^([^\t]+)\t(.*)$")
        if not k then
          t = { ["\0error"] = path .. " line " .. i .. " is not \"key<TAB>value\": " .. line }
          break
        end
        if t[k] ~= nil then
          t = { ["\0error"] = path .. " gives key \"" .. k .. "\" twice (line " .. i .. ")" }
          break
        end
        t[k] = v
      end
    end
  end
  tables[path] = t
  return t
end

-- The value a value or claim span names, and its file; nil (having failed)
-- when there is none.
local function span_value(span, what)
  local key = attr(span, "key")
  local path = attr(span, "file")
  local run = attr(span, "run")
  if not path and run then path = "build/runs/" .. run .. "-solutions/values.tsv" end
  if not key or not path then
    fail("a " .. what .. " span needs key=\"...\" and run=\"...\" (or file=\"...\"), got [" ..
      stringify(span.content) .. "]{" .. (key and ("key=" .. key) or "") ..
      (run and (" run=" .. run) or "") .. "}")
    return nil
  end
  local t = load_values(path)
  if t["\0error"] then
    fail(t["\0error"] .. " (wanted key \"" .. key .. "\")")
    return nil
  end
  local v = t[key]
  if v == nil then
    fail("key \"" .. key .. "\" not found in " .. path)
    return nil
  end
  return v, path
end

local function value_span(span)
  local v = span_value(span, "value")
  return pandoc.Str(v or "??")
end

local function claim_span(span)
  local v, path = span_value(span, "claim")
  if v ~= nil and v ~= "yes" then
    fail("the claim \"" .. stringify(span.content) .. "\" does not hold in " .. path .. ": " ..
      attr(span, "key") .. " is \"" .. v .. "\", not \"yes\"")
  end
  return span.content
end

---------------------------------------------------------------------------
-- Tables from TSV files (see the header)

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

-- "a\tb\t\tc" -> { "a", "b", "", "c" } (gmatch would drop or add empty
-- fields, differently in Lua 5.3 and 5.4).
local function split_tabs(line)
  local out, start = {}, 1
  while true do
    local i = line:find("\t", start, true)
    if not i then
      table.insert(out, line:sub(start))
      return out
    end
    table.insert(out, line:sub(start, i - 1))
    start = i + 1
  end
end

-- The cells of a header= or row= attribute: separated by a bar with spaces
-- (or a line break) on both sides, so that $|w|$ stays one cell.
local function split_cells(text)
  local out, start = {}, 1
  while true do
    local i, j = text:find("%s+|%s+", start)
    if not i then
      table.insert(out, trim(text:sub(start)))
      return out
    end
    table.insert(out, trim(text:sub(start, i - 1)))
    start = j + 1
  end
end

-- Markdown text as inlines. Read alone, a short text can be a block of
-- another kind ("#" a heading, "C." or "1." a list, "-" a bullet), so it is
-- read after a word and a space that are then taken off again.
local function markdown_inlines(text)
  text = trim(text)
  if text == "" then return pandoc.List() end
  local blocks = pandoc.read("Z " .. text, "markdown", PANDOC_READER_OPTIONS).blocks
  local inlines = pandoc.List(pandoc.utils.blocks_to_inlines(blocks))
  local z, space = inlines[1], inlines[2]
  if z and space and z.t == "Str" and z.text == "Z" and space.t == "Space" then
    inlines:remove(1)
    inlines:remove(1)
  end
  return inlines
end

-- Markdown text as a table cell's blocks.
local function cell_blocks(text)
  local inlines = markdown_inlines(text)
  if #inlines == 0 then return {} end
  return { pandoc.Plain(inlines) }
end

-- TSV text goes into markdown as literal text: every ASCII punctuation
-- character escaped (pandoc's markdown takes a backslash before any of them),
-- so that a label such as under_score, a*b or [x](y) can never become markup.
-- All but the quotes, which make no markup, only typography: left bare, they
-- curl as the prose's do (the study's, "per split"). The set is spelled out:
-- %p follows the C locale, and must never split a UTF-8 character.
local ASCII_PUNCT = [[!#$%&()*+,-./:;<=>?@[\]^_`{|}~]]
local function escape_markdown(text)
  return (text:gsub(".", function(c)
    if ASCII_PUNCT:find(c, 1, true) then return "\\" .. c end
  end))
end

-- A row template's cell as a list of parts: literal strings and fields
-- { name =, format = }; or nil and the reason. {{ and }} are literal braces.
local function parse_template(cell)
  local parts, lit, i = {}, {}, 1
  local function flush()
    if #lit > 0 then table.insert(parts, table.concat(lit)) lit = {} end
  end
  while i <= #cell do
    local c, two = cell:sub(i, i), cell:sub(i, i + 1)
    if two == "{{" or two == "}}" then
      table.insert(lit, c)
      i = i + 2
    elseif c == "{" then
      local close = cell:find("}", i, true)
      local inside = close and cell:sub(i + 1, close - 1) or cell:sub(i + 1)
      local name, format = inside:match("^([%a_][%w_%.%-]*):(.+)$")
      if not name then name = inside:match("^([%a_][%w_%.%-]*)$") end
      if not close or not name then
        return nil, "\"{" .. inside .. (close and "}" or "") .. "\" is not a field ({column} or " ..
          "{column:FORMAT}; a literal brace is written {{ or }})"
      end
      flush()
      table.insert(parts, { name = name, format = format })
      i = close + 1
    elseif c == "}" then
      return nil, "a } that closes no field (a literal brace is written }})"
    else
      table.insert(lit, c)
      i = i + 1
    end
  end
  flush()
  return parts
end

-- A format's problem, or nil: a printf conversion for one number, sci:N, or
-- label.
local function bad_format(format)
  if format == nil or format == "label" then return nil end
  local digits = format:match("^sci:(%d+)$")
  if digits then
    if tonumber(digits) > 17 then
      return "sci:" .. digits .. " asks for more digits than a double has"
    end
    return nil
  end
  if not format:match("^%%[-+ #0]*%d*%.?%d*[dieEfFgG]$") then
    return "\"" .. format .. "\" is not a number format (a printf conversion for one number: " ..
      "%d, %.2f, %.3g, %.4e, %+.1f...; or sci:N)"
  end
  if not pcall(string.format, format, 1) then
    return "\"" .. format .. "\" is not a format Lua's string.format takes " ..
      "(width or precision too long?)"
  end
  return nil
end

-- A TSV field as a number, or nil: decimal notation, or inf.
local function parse_number(text)
  local t = trim(text):lower()
  if t:match("^[-+]?inf") and (t:match("^[-+]?inf$") or t:match("^[-+]?infinity$")) then
    return t:sub(1, 1) == "-" and -math.huge or math.huge
  end
  if not t:match("^[-+]?%d*%.?%d*[e]?[-+]?%d*$") or not t:match("%d") then return nil end
  return tonumber(t)
end

-- x written as chapter 3's sci() writes it: $1.2225 \times 10^{-6}$.
local function sci(x, digits)
  local e = string.format("%." .. digits .. "e", x)
  local mantissa, exponent = e:match("^(.-)e([-+]%d+)$")
  if not mantissa then return "$\\text{" .. e .. "}$" end  -- inf
  exponent = tonumber(exponent)
  if exponent == 0 then return "$" .. mantissa .. "$" end
  return "$" .. mantissa .. " \\times 10^{" .. exponent .. "}$"
end

-- A field's text in a cell, or nil and the reason. labels: value -> markdown.
local function field_text(value, format, labels)
  if format == nil then return escape_markdown(value) end
  if format == "label" then
    if labels[value] then return labels[value] end
    return nil, "\"" .. value .. "\" is none of the values labels=\"...\" names"
  end
  local x = parse_number(value)
  if x == nil then return nil, "\"" .. value .. "\" is not a number" end
  local digits = format:match("^sci:(%d+)$")
  if digits then return sci(x, digits) end
  if format:match("[di]$") then
    local n = math.tointeger(x)
    if n == nil then
      return nil, "\"" .. value .. "\" is not an integer, which " .. format .. " needs"
    end
    x = n
  end
  return string.format(format, x)
end

-- A field that holds no value: its cell becomes an en dash.
local function no_value(value)
  local v = trim(value):lower()
  return v == "" or v == "nan" or v == "-nan" or v == "+nan" or v == "na"
end

local ALIGN = { l = "AlignLeft", r = "AlignRight", c = "AlignCenter" }

-- About how many characters a cell takes on the page, and its longest word:
-- its text, with a TeX command in math (\\times) as one character and
-- braces, ^ and _ as none.
local function shown_width(blocks)
  local text = pandoc.utils.stringify(blocks):gsub("\\%a+", "x"):gsub("[{}^_]", "")
  local word = 0
  for w in text:gmatch("%S+") do word = math.max(word, utf8.len(w) or #w) end
  return utf8.len(text) or #text, word
end

-- The columns' widths, unless widths="..." gives them: 0 (each column as
-- wide as its cells, headers on one line) while the table fits a line of the
-- page, about 62 characters less 2 a column for the space between columns;
-- beyond that, as pandoc does for a pipe table longer than a line, shares of
-- the line: each column its longest word (headers wrap), and what is left in
-- proportion to how much more its widest cell wants, so that LaTeX wraps the
-- cells instead of running the table into the margin.
local function table_widths(head, body)
  local n, line = #head, 62 - 2 * #head
  local full, need, word = 0, {}, {}
  for i, h in ipairs(head) do
    local hl, hw = shown_width(h)
    local cl = 0
    need[i], word[i] = hw, hw
    for _, row in ipairs(body) do
      local w, longest = shown_width(row[i])
      cl, word[i] = math.max(cl, w), math.max(word[i], longest)
    end
    need[i] = math.max(need[i], cl)
    full = full + math.max(hl, cl)
  end
  local widths = {}
  if full <= line then
    for i = 1, n do widths[i] = 0 end
    return widths
  end
  local floor, extra = 0, 0
  for i = 1, n do
    word[i] = word[i] + 1
    floor, extra = floor + word[i], extra + math.max(need[i] - word[i], 0)
  end
  local left = math.max(line - floor, 0)
  for i = 1, n do
    local more = extra > 0 and left * math.max(need[i] - word[i], 0) / extra or 0
    widths[i] = (word[i] + more) / math.max(line, floor)
  end
  return widths
end

local EN_DASH = "\u{2013}"

-- The TSV file: { columns = { name... }, index = { name -> i }, rows = {
-- { line =, fields = {...} }... } }, or nil after failing.
local function load_tsv(path, problem)
  local text = read_file(path)
  if text == nil then
    problem("not found")
    return nil
  end
  local lines = split_lines(text)
  if #lines == 0 or lines[1] == "" then
    problem("has no header line (column names, separated by tabs)")
    return nil
  end
  local t = { columns = split_tabs(lines[1]), index = {}, rows = {} }
  for i, name in ipairs(t.columns) do
    if t.index[name] then problem("names column \"" .. name .. "\" twice in its header line") end
    t.index[name] = i
  end
  for i = 2, #lines do
    local fields = split_tabs(lines[i])
    if #fields ~= #t.columns then
      problem("line " .. i .. " has " .. #fields .. " field" .. (#fields == 1 and "" or "s") ..
        ", but its header line names " .. #t.columns .. " columns")
    end
    table.insert(t.rows, { line = i, fields = fields })
  end
  return t
end

local function table_block(cb)
  local path = attr(cb, "file")
  local where = "table " .. (path or "(no file)")
  local ok = true
  local function problem(msg)
    fail(where .. ": " .. msg)
    ok = false
  end
  if not path then problem("a table block needs file=\"...\" (a TSV file)") end
  local header, row = attr(cb, "header"), attr(cb, "row")
  if not header then problem("no header=\"...\" (the header cells, separated by \" | \")") end
  if not row then problem("no row=\"...\" (the cell templates, separated by \" | \")") end
  local empty = attr(cb, "empty")
  if empty and empty ~= "ok" then
    problem("empty=\"" .. empty .. "\": the only value is empty=\"ok\"")
  end
  -- labels="W1=$W_1$ (input to hidden); all=all": what {column:label} writes
  -- for each value of the column.
  local labels, labelled = {}, attr(cb, "labels")
  for pair in (labelled or ""):gmatch("[^;]+") do
    local value, text = pair:match("^%s*([^=]-)%s*=%s*(.-)%s*$")
    if not value or value == "" then
      problem("labels=\"...\": \"" .. trim(pair) .. "\" is not VALUE=MARKDOWN")
    elseif labels[value] then
      problem("labels=\"...\" names the value \"" .. value .. "\" twice")
    else
      labels[value] = text
    end
  end
  local caption = attr(cb, "caption")
  if cb.identifier ~= "" and not caption then
    problem("#" .. cb.identifier .. " labels a table without a caption, " ..
      "which has no number to refer to")
  end
  if not ok then return {} end

  local heads, templates = split_cells(header), split_cells(row)
  if #heads ~= #templates then
    problem("header=\"...\" has " .. #heads .. " cells but row=\"...\" has " .. #templates)
  end
  local align = attr(cb, "align")
  local aligns = {}
  for i = 1, #templates do aligns[i] = (i == 1) and ALIGN.l or ALIGN.r end
  if align then
    if #align ~= #templates or not align:match("^[lrc]+$") then
      problem("align=\"" .. align .. "\" must be one letter l, r or c for each of its " ..
        #templates .. " columns")
    else
      for i = 1, #align do aligns[i] = ALIGN[align:sub(i, i)] end
    end
  end
  -- widths="3 2 1 ...": the columns' shares of the line (pandoc's pipe
  -- tables take them from their dashes); without it, table_widths decides.
  local given_widths
  local wattr = attr(cb, "widths")
  if wattr then
    local parts, sum = {}, 0
    for w in wattr:gmatch("%S+") do
      local x = tonumber(w)
      if not x or x <= 0 then parts = nil break end
      table.insert(parts, x)
      sum = sum + x
    end
    if not parts or #parts ~= #templates then
      problem("widths=\"" .. wattr .. "\" must be " .. #templates ..
        " positive numbers, one for each column")
    else
      given_widths = {}
      for i, x in ipairs(parts) do given_widths[i] = x / sum end
    end
  end
  local tsv = load_tsv(path, problem)
  local cells = {}
  for i, tmpl in ipairs(templates) do
    local parts, why = parse_template(tmpl)
    if not parts then
      problem("cell " .. i .. " of row=\"...\", \"" .. tmpl .. "\": " .. why)
    else
      for _, part in ipairs(parts) do
        if type(part) == "table" then
          local bad = bad_format(part.format)
          if bad then problem("column \"" .. part.name .. "\": " .. bad) end
          if part.format == "label" and not labelled then
            problem("column \"" .. part.name .. "\": {" .. part.name .. ":label} needs labels=\"...\"")
          end
          if tsv and not tsv.index[part.name] then
            problem("column \"" .. part.name .. "\" (in row=\"...\") is not in its header line " ..
              "(columns: " .. table.concat(tsv.columns, ", ") .. ")")
          end
        end
      end
    end
    cells[i] = parts
  end
  if tsv and #tsv.rows == 0 and empty ~= "ok" then
    problem("has no data line (empty=\"ok\" allows a table of no rows)")
  end
  if not ok then return {} end

  local body = {}
  local reported = {}  -- column -> true: one bad value per column is enough
  for _, r in ipairs(tsv.rows) do
    local out = {}
    for i, parts in ipairs(cells) do
      local text, dash = {}, false
      for _, part in ipairs(parts) do
        if type(part) == "string" then
          table.insert(text, part)
        else
          local value = r.fields[tsv.index[part.name]]
          if no_value(value) then
            dash = true
          else
            local s, why = field_text(value, part.format, labels)
            if not s then
              if not reported[part.name] then
                problem("line " .. r.line .. ", column \"" .. part.name .. "\": " .. why)
                reported[part.name] = true
              end
              s = "??"
            end
            table.insert(text, s)
          end
        end
      end
      out[i] = dash and { pandoc.Plain { pandoc.Str(EN_DASH) } } or cell_blocks(table.concat(text))
    end
    table.insert(body, out)
  end
  if not ok then return {} end

  local head = {}
  for i, h in ipairs(heads) do head[i] = cell_blocks(h) end
  local widths = given_widths or table_widths(head, body)
  local tbl = pandoc.utils.from_simple_table(pandoc.SimpleTable(
    caption and markdown_inlines(caption) or {}, aligns, widths, head, body))
  -- number_table (below) numbers it and makes #tbl:x its label.
  tbl.identifier = cb.identifier
  return tbl
end

---------------------------------------------------------------------------
-- Includes, output, figures, and the walk that applies them all

local expand  -- forward
local span    -- forward: a value span

-- Keeps the divs of this edition (unwrapped) and drops those of the other.
local function select_edition(blocks)
  return pandoc.walk_block(pandoc.Div(blocks), {
    Div = function(d)
      local mine = d.classes:includes(edition)
      local other = d.classes:includes(edition == "student" and "instructor" or "student")
      if mine then return d.content end
      if other then return {} end
      return nil
    end }).content
end

-- The blocks of markdown file `path`, expanded, in a div that remembers the
-- file (attribute wb-source) for the messages of the later passes, which
-- unwrap it.
local function include_file(path)
  for _, p in ipairs(stack) do
    if p == path then
      fail("include " .. path .. " includes itself (" .. table.concat(stack, " -> ") .. " -> " .. path .. ")")
      return {}
    end
  end
  local text = read_file(path)
  if text == nil then
    fail("included file " .. path .. " not found")
    return {}
  end
  local ok, doc = pcall(pandoc.read, text, "markdown", PANDOC_READER_OPTIONS)
  if not ok then
    fail("included file " .. path .. " could not be read as markdown: " .. tostring(doc))
    return {}
  end
  table.insert(stack, path)
  local blocks = expand(select_edition(doc.blocks))
  table.remove(stack)
  return pandoc.Div(blocks, pandoc.Attr("", {}, { { "wb-source", path } }))
end

local function include_block(cb)
  local path = attr(cb, "file")
  if not path then
    fail("an include block has no file=\"...\"")
    return {}
  end
  return include_file(path)
end

local function output_block(cb)
  local path = attr(cb, "file")
  if not path then
    fail("an output block has no file=\"...\"")
    return {}
  end
  local text = read_file(path)
  if text == nil then
    fail("output file " .. path .. " not found")
    return {}
  end
  text = text:gsub("\r\n", "\n"):gsub("\n+$", "")
  -- LaTeX highlights any code block with a class, so there it has none.
  return pandoc.CodeBlock(text, pandoc.Attr(cb.identifier, is_latex() and {} or { "output" }))
end

local function code_block(cb)
  if cb.classes:includes("region") then return region_block(cb) end
  if cb.classes:includes("include") then return include_block(cb) end
  if cb.classes:includes("output") then return output_block(cb) end
  if cb.classes:includes("table") then
    -- a value in its caption or cells: the walk does not go into what it returns
    local t = table_block(cb)
    return (t and t.t == "Table") and pandoc.walk_block(t, { Span = span }) or t
  end
  if cb.attributes["file"] ~= nil then
    fail("a code block names file=\"" .. cb.attributes["file"] ..
      "\" but has none of the classes region, include, output, table (classes: " ..
      table.concat(cb.classes, " ") .. ")")
  end
  return nil
end

span = function(sp)
  if sp.classes:includes("value") then return value_span(sp) end
  if sp.classes:includes("claim") then return claim_span(sp) end
  if sp.attributes["key"] ~= nil then
    fail("a span names key=\"" .. sp.attributes["key"] .. "\" but has no class value or claim")
  end
  return nil
end

local function image(img)
  local src = img.src
  if src:match("^%a[%w+.-]*:") then return nil end  -- http:, data:, ...
  if is_latex() and src:match("%.svg$") then
    local pdf = src:gsub("%.svg$", ".pdf")
    if not file_exists(pdf) then
      fail("figure " .. pdf .. " not found (the PDF twin of " .. src .. ", which LaTeX needs)")
      return nil
    end
    img.src = pdf
    return img
  end
  if not file_exists(src) then
    fail("figure " .. src .. " not found")
  end
  return nil
end

-- In LaTeX an unnumbered chapter (\chapter*) leaves the running head of the
-- pages before it (e.g. "Contents") on its own pages; this sets it.
local function header(h)
  if not is_latex() or h.level ~= 1 or not h.classes:includes("unnumbered") then return nil end
  local title = pandoc.List(h.content)
  local mark = pandoc.List { pandoc.RawInline("latex", "\\markboth{") }
  mark:extend(title)
  mark:insert(pandoc.RawInline("latex", "}{"))
  mark:extend(title)
  mark:insert(pandoc.RawInline("latex", "}"))
  return { h, pandoc.Plain(mark) }
end

local FILTER = { CodeBlock = code_block, Span = span, Image = image, Header = header }

expand = function(blocks)
  return pandoc.walk_block(pandoc.Div(blocks), FILTER).content
end

---------------------------------------------------------------------------
-- Numbers and cross-references (see the header)

local labels = {}     -- id -> { kind = sec|fig|tbl|eq, number =, level =, appendix =, title = }
local label_order = {}
local ids = {}        -- every identifier in the book -> true
local headings = {}   -- numbered level-1 headings, in order: { id =, rec = }
local sources = {}    -- the file of the blocks being numbered or resolved, innermost last

local function fail_at(msg)
  table.insert(problems, (sources[#sources] or here()) .. ": " .. msg)
end

local PREFIXES = { fig = true, tbl = true, eq = true, sec = true }
local function prefix(id) return id:match("^(%a+):") end

local function add_label(id, rec)
  if labels[id] then
    fail_at("the label #" .. id .. " is defined twice")
    return
  end
  local p = prefix(id)
  if p and PREFIXES[p] and p ~= rec.kind then
    fail_at("the label #" .. id .. " is on a " .. ({ fig = "figure", tbl = "table", eq = "equation",
      sec = "heading" })[rec.kind] .. ": its name should start with " .. rec.kind .. ":")
  end
  labels[id] = rec
  table.insert(label_order, id)
end

local secnum = {}        -- pandoc's section counters, secnum[level]
local in_appendix = false
local appendices = 0
local chapter = nil      -- the current chapter's number as shown ("2", "A"), or nil
local counters = { fig = 0, tbl = 0, eq = 0 }

local function next_number(kind)
  counters[kind] = counters[kind] + 1
  return (chapter and (chapter .. ".") or "") .. counters[kind]
end

local function label_span(text, class)
  return pandoc.Span({ pandoc.Str(text) }, pandoc.Attr("", { class }))
end

-- A heading: a unique identifier, its number (the attribute `number`, which
-- pandoc's HTML writer shows as it is), the appendices.
local function number_header(h)
  local out = pandoc.List()
  local id = h.identifier
  if id ~= "" and ids[id] then
    if prefix(id) and PREFIXES[prefix(id)] then
      fail_at("the label #" .. id .. " is defined twice")
    else
      local k = 1
      while ids[id .. "-" .. k] do k = k + 1 end
      id = id .. "-" .. k
      h.identifier = id
    end
  end
  if id ~= "" then ids[id] = true end
  if h.classes:includes("unnumbered") then
    if id ~= "" and not labels[id] then
      labels[id] = { kind = "sec", level = h.level, title = h.content }
    end
    out:insert(h)
    return out
  end
  if h.level == 1 and h.classes:includes("appendix") and not in_appendix then
    in_appendix = true
    if is_latex() then out:insert(pandoc.RawBlock("latex", "\\appendix")) end
  end
  local level, new = h.level, {}
  if #secnum >= level then
    for i = 1, level - 1 do new[i] = secnum[i] end
    new[level] = secnum[level] + 1
  else
    for i = 1, #secnum do new[i] = secnum[i] end
    for i = #secnum + 1, level - 1 do new[i] = 0 end
    new[level] = 1
  end
  secnum = new
  if level == 1 then
    if in_appendix then
      appendices = appendices + 1
      chapter = string.char(64 + appendices)
      if not h.classes:includes("appendix") then h.classes:insert("appendix") end
    else
      chapter = tostring(new[1])
    end
    counters = { fig = 0, tbl = 0, eq = 0 }
  end
  local parts = { chapter or tostring(new[1]) }
  for i = 2, #new do parts[i] = tostring(new[i]) end
  local number = table.concat(parts, ".")
  -- pandoc numbers the same way, but for the appendices' letters; in HTML the
  -- attribute makes sure that what a heading shows is what its references say.
  if in_appendix or is_html() then h.attributes["number"] = number end
  local rec = { kind = "sec", number = number, level = level, appendix = in_appendix, title = h.content }
  if id ~= "" then add_label(id, rec) end
  if level == 1 then table.insert(headings, { id = id, rec = rec }) end
  out:insert(h)
  return out
end

local function is_figure(b)
  return b.t == "Para" and #b.content == 1 and b.content[1].t == "Image"
    and b.content[1].title:match("^fig:") ~= nil
end

-- Every figure is numbered, as in LaTeX; HTML gets "Figure 2.3:" before the caption.
local function number_figure(para)
  local img = para.content[1]
  local number = next_number("fig")
  if img.identifier ~= "" then
    ids[img.identifier] = true
    add_label(img.identifier, { kind = "fig", number = number })
  end
  if not is_latex() then
    local caption = pandoc.List { label_span("Figure\u{a0}" .. number .. ":", "figure-number"), pandoc.Space() }
    caption:extend(img.caption)
    img.caption = caption
    para.content = { img }
  end
  return para
end

-- A table with a caption is numbered, as in LaTeX; "{#tbl:x}" at the end of
-- the caption, or the identifier of a {.table} block's table, is its label.
local function number_table(tbl)
  local long = tbl.caption.long
  if #long == 0 then return tbl end
  local last = long[#long]
  local content = pandoc.List(last.content)
  local id = nil
  if #content > 0 and content[#content].t == "Str" then
    id = content[#content].text:match("^{#([^}%s]+)}$")
  end
  if id then
    content:remove(#content)
    while #content > 0 and (content[#content].t == "Space" or content[#content].t == "SoftBreak") do
      content:remove(#content)
    end
  elseif tbl.identifier ~= "" then
    id = tbl.identifier  -- a {.table} block's #tbl:x
  end
  local number = next_number("tbl")
  if id then
    ids[id] = true
    add_label(id, { kind = "tbl", number = number })
    -- LaTeX: the \label in the caption, and no identifier that a writer
    -- might turn into a second one.
    if is_latex() then
      content:insert(pandoc.RawInline("latex", "\\label{" .. id .. "}"))
      tbl.identifier = ""
    else
      tbl.identifier = id
    end
  end
  last.content = content
  long[#long] = last
  if not is_latex() then
    local first = long[1]
    local c = pandoc.List { label_span("Table\u{a0}" .. number .. ":", "table-number"), pandoc.Space() }
    c:extend(first.content)
    first.content = c
    long[1] = first
  end
  tbl.caption = { long = long, short = tbl.caption.short }
  return tbl
end

-- $$...$$ {#eq:x} inside a paragraph: a numbered equation.
local function equation(math, id, number)
  if is_latex() then
    return { pandoc.RawInline("latex", "\\begin{equation}" .. math.text .. "\\label{" .. id ..
      "}\\end{equation}") }
  end
  return { pandoc.Span({ math, label_span("(" .. number .. ")", "eqno") },
    pandoc.Attr(id, { "equation" })) }
end

local function number_equations(inlines)
  local out = pandoc.List()
  local i = 1
  while i <= #inlines do
    local el = inlines[i]
    local id, j = nil, i + 1
    if el.t == "Math" and el.mathtype == "DisplayMath" then
      while j <= #inlines and (inlines[j].t == "Space" or inlines[j].t == "SoftBreak") do j = j + 1 end
      if j <= #inlines and inlines[j].t == "Str" then id = inlines[j].text:match("^{#([^}%s]+)}") end
    end
    if id then
      local number = next_number("eq")
      ids[id] = true
      add_label(id, { kind = "eq", number = number })
      out:extend(equation(el, id, number))
      local rest = inlines[j].text:sub(#id + 4)
      if rest ~= "" then out:insert(pandoc.Str(rest)) end
      i = j + 1
    else
      out:insert(el)
      i = i + 1
    end
  end
  return out
end

local number_blocks
local function number_list(items)
  local out = pandoc.List()
  for _, item in ipairs(items) do out:insert(number_blocks(item)) end
  return out
end

-- The blocks in document order: headings, figures, tables, equations.
number_blocks = function(blocks)
  local out = pandoc.List()
  for _, b in ipairs(blocks) do
    local t = b.t
    if t == "Header" then
      out:extend(number_header(b))
    elseif is_figure(b) then
      out:insert(number_figure(b))
    elseif t == "Para" or t == "Plain" then
      b.content = number_equations(b.content)
      out:insert(b)
    elseif t == "Table" then
      out:insert(number_table(b))
    elseif t == "Div" then
      local src = b.attributes["wb-source"]
      if src then table.insert(sources, src) end
      b.content = number_blocks(b.content)
      if src then table.remove(sources) end
      out:insert(b)
    elseif t == "BlockQuote" then
      b.content = number_blocks(b.content)
      out:insert(b)
    elseif t == "BulletList" or t == "OrderedList" then
      b.content = number_list(b.content)
      out:insert(b)
    elseif t == "DefinitionList" then
      local items = pandoc.List()
      for _, item in ipairs(b.content) do
        items:insert({ item[1], number_list(item[2]) })
      end
      b.content = items
      out:insert(b)
    else
      out:insert(b)
    end
  end
  return out
end

-- Every identifier in the book, for the links to check against.
local function collect_ids(blocks)
  local function add(el)
    if el.identifier and el.identifier ~= "" then ids[el.identifier] = true end
  end
  pandoc.walk_block(pandoc.Div(blocks), { Header = add, Div = add, Span = add, CodeBlock = add,
    Image = add, Table = add, Link = add, Code = add })
end

-- What a reference says.
local WORDS = { fig = { "Figure", "Figures" }, tbl = { "Table", "Tables" },
  eq = { "Equation", "Equations" }, chapter = { "Chapter", "Chapters" },
  appendix = { "Appendix", "Appendices" }, section = { "Section", "Sections" } }

local function word_of(rec)
  if rec.kind ~= "sec" then return rec.kind end
  if rec.level == 1 then return rec.appendix and "appendix" or "chapter" end
  return "section"
end

-- In LaTeX, \ref* prints LaTeX's own number (the check holds it to ours) and
-- \hyperref links the words around it to the \label.
local function latex_ref(id, rec, word)
  local r = "\\ref*{" .. id .. "}"
  if rec.kind == "eq" then r = "(" .. r .. ")" end
  return pandoc.RawInline("latex", "\\hyperref[" .. id .. "]{" .. (word and (word .. "~") or "") .. r .. "}")
end

local function shown_number(rec)
  return rec.kind == "eq" and ("(" .. rec.number .. ")") or rec.number
end

-- "Figure 2.3" (word given) or "2.3", linked.
local function ref_link(id, rec, word)
  if rec.number == nil then  -- an unnumbered heading: its title
    return pandoc.Link(rec.title, "#" .. id)
  end
  if is_latex() then return latex_ref(id, rec, word) end
  local text = shown_number(rec)
  if word then text = word .. "\u{a0}" .. text end
  return pandoc.Link({ pandoc.Str(text) }, "#" .. id)
end

local function resolve_cite(cite)
  local items = {}
  for _, c in ipairs(cite.citations) do
    local rec = labels[c.id]
    if not rec then
      if prefix(c.id) and PREFIXES[prefix(c.id)] then
        fail_at("unresolved reference @" .. c.id .. ": nothing in the book is labelled {#" .. c.id .. "}")
      else
        fail_at("@" .. c.id .. " is not a reference to anything in the book (references are @fig:, " ..
          "@tbl:, @eq:, @sec: labels or a heading's identifier; a literal @ is written \\@)")
      end
      return pandoc.Str("??")
    end
    table.insert(items, { id = c.id, rec = rec, cit = c })
  end
  -- Runs of references of one kind share their word: "Figures 2.3 and 2.4".
  local groups = {}
  for _, it in ipairs(items) do
    local key = it.rec.number and word_of(it.rec) or nil
    local g = groups[#groups]
    if key and g and g.key == key then table.insert(g, it)
    else table.insert(groups, { key = key, it }) end
  end
  local out = pandoc.List()
  local function sep(k, n)
    if k == 1 then return end
    if k == n then out:extend({ pandoc.Space(), pandoc.Str("and"), pandoc.Space() })
    else out:extend({ pandoc.Str(","), pandoc.Space() }) end
  end
  for gi, g in ipairs(groups) do
    sep(gi, #groups)
    local suppress = g[1].cit.mode == "SuppressAuthor"
    if #g[1].cit.prefix > 0 then
      out:extend(g[1].cit.prefix)
      out:insert(pandoc.Space())
    end
    if #g == 1 then
      local it = g[1]
      out:insert(ref_link(it.id, it.rec, (not suppress and it.rec.number) and WORDS[g.key][1] or nil))
      out:extend(it.cit.suffix)
    else
      if not suppress then
        out:insert(pandoc.Str(WORDS[g.key][2]))
        out:insert(pandoc.Space())
      end
      for k, it in ipairs(g) do
        sep(k, #g)
        if k > 1 and #it.cit.prefix > 0 then
          out:extend(it.cit.prefix)
          out:insert(pandoc.Space())
        end
        out:insert(ref_link(it.id, it.rec, nil))
        out:extend(it.cit.suffix)
      end
    end
  end
  return out
end

local function resolve_link(link)
  local target = link.target
  if target:sub(1, 1) ~= "#" then return nil end
  local id = target:sub(2)
  if not ids[id] then
    fail_at("a link to #" .. id .. " (\"" .. stringify(link.content) .. "\"), which is nowhere in the book")
    return nil
  end
  -- LaTeX: figures, tables and equations have a \label, not a hypertarget.
  if is_latex() and labels[id] and labels[id].number then
    local out = pandoc.List { pandoc.RawInline("latex", "\\hyperref[" .. id .. "]{") }
    out:extend(link.content)
    out:insert(pandoc.RawInline("latex", "}"))
    return out
  end
  return nil
end

local function stray_label(str)
  local id = str.text:match("^{#([%w_:%.%-]+)}")
  if id then
    fail_at("the label {#" .. id .. "} labels nothing (an equation's label follows its closing $$; " ..
      "a table's ends its caption; a figure's follows the image)")
  end
  return nil
end

local RESOLVE = { Cite = resolve_cite, Link = resolve_link, Str = stray_label }

-- The numbered chapters and appendices, each "Chapter 2: Softmax regression", linked.
local function chapter_list()
  local items = pandoc.List()
  for _, c in ipairs(headings) do
    local line = pandoc.List()
    if c.id ~= "" then line:insert(ref_link(c.id, c.rec, WORDS[word_of(c.rec)][1]))
    else line:insert(pandoc.Str(WORDS[word_of(c.rec)][1] .. "\u{a0}" .. c.rec.number)) end
    line:insert(pandoc.Str(":"))
    line:insert(pandoc.Space())
    line:extend(c.rec.title)
    items:insert({ pandoc.Plain(line) })
  end
  if #items == 0 then return pandoc.Para { pandoc.Str("(This copy has no chapters yet.)") } end
  return pandoc.BulletList(items)
end

-- Resolves the references, fills in the chapter list and unwraps the
-- included files' divs.
local function resolve_blocks(blocks)
  local out = pandoc.List()
  for _, b in ipairs(blocks) do
    if b.t == "Div" and b.classes:includes("chapter-list") then
      out:insert(chapter_list())
    elseif b.t == "Div" then
      local src = b.attributes["wb-source"]
      if src then
        table.insert(sources, src)
        out:extend(resolve_blocks(b.content))
        table.remove(sources)
      else
        b.content = resolve_blocks(b.content)
        out:insert(b)
      end
    else
      out:insert(pandoc.walk_block(b, RESOLVE))
    end
  end
  return out
end

local function write_labels(path)
  local f = io.open(path, "w")
  if not f then
    io.stderr:write("book.lua: cannot write the labels to " .. path .. "\n")
    return
  end
  for _, id in ipairs(label_order) do
    local rec = labels[id]
    if rec.number then f:write(id, "\t", word_of(rec), "\t", rec.number, "\n") end
  end
  f:close()
end

---------------------------------------------------------------------------
-- Regions no document quotes (see the header)

local SOURCE_DIRS = { "lib", "chapters", "exercises", "solutions", "tests", "tools", "figures" }
local UNUSED_LIST = "tools/book-regions-unused.txt"

local function clean_path(path)
  while path:sub(1, 2) == "./" do path = path:sub(3) end
  return path
end

-- Every region a markdown document quotes by name, with both editions' divs
-- and every file it includes, read as they are on disk: quoted[path][name] =
-- true. A file that cannot be read is skipped here (the build of the edition
-- that includes it says so; the other edition's generated files may not exist).
local function quoted_regions(blocks, quoted, seen)
  pandoc.walk_block(pandoc.Div(blocks), {
    CodeBlock = function(cb)
      local path = attr(cb, "file")
      if not path then return nil end
      if cb.classes:includes("region") and attr(cb, "name") then
        path = clean_path(path)
        quoted[path] = quoted[path] or {}
        quoted[path][attr(cb, "name")] = true
      elseif cb.classes:includes("include") and not seen[clean_path(path)] then
        seen[clean_path(path)] = true
        local text = read_file(path)
        local ok, doc = pcall(pandoc.read, text or "", "markdown", PANDOC_READER_OPTIONS)
        if text and ok then quoted_regions(doc.blocks, quoted, seen) end
      end
      return nil
    end })
  return quoted
end

-- The output of a shell command, or nil when it fails.
local function command_output(cmd)
  local p = io.popen(cmd)
  if not p then return nil end
  local out = p:read("a")
  local ok = p:close()
  return ok and out or nil
end

-- The files the regions may be in: what git tracks under SOURCE_DIRS, or,
-- outside a git work tree (or below its top: a test's temporary folder
-- inside some other repository), every file there.
local function source_files()
  local dirs = table.concat(SOURCE_DIRS, " ")
  local list = nil
  if command_output("git rev-parse --show-prefix 2>/dev/null") == "\n" then
    list = command_output("git ls-files -z -- " .. dirs .. " 2>/dev/null")
  end
  if list == nil then
    local p = io.popen("find " .. dirs .. " -type f -print0 2>/dev/null")
    list = p and p:read("a") or ""
    if p then p:close() end  -- find fails on a folder that is not there; the rest is listed
  end
  local files = {}
  for f in list:gmatch("([^\0]+)") do table.insert(files, f) end
  table.sort(files)
  return files
end

-- Every region of the source files: { { path =, name =, line = } } in
-- order, and regions[path][name] = that record. Binary files are skipped.
local function source_regions()
  local list, regions = {}, {}
  for _, path in ipairs(source_files()) do
    local text = read_file(path)
    if text and not text:find("\0", 1, true) then
      for i, line in ipairs(split_lines(text)) do
        local _, name = marker(line)
        if name then
          regions[path] = regions[path] or {}
          if not regions[path][name] then
            regions[path][name] = { path = path, name = name, line = i }
            table.insert(list, regions[path][name])
          end
        end
      end
    end
  end
  return list, regions
end

-- The allow-list: { { path =, name =, line = } }, failing on a line that is
-- not "path name".
local function unused_allowed()
  local text = read_file(UNUSED_LIST)
  local out = {}
  if text == nil then return out end
  for i, line in ipairs(split_lines(text)) do
    if not (line:match("^%s*$") or line:match("^%s*#")) then
      local path, name = line:match("^%s*(%S+)%s+(%S+)%s*$")
      if not path then
        fail(UNUSED_LIST .. " line " .. i .. " is not \"file name\": " .. line)
      elseif not clean_path(path):match("^chapters/") then
        -- Only the chapters being rewritten may wait; elsewhere, delete the markers.
        fail(UNUSED_LIST .. " line " .. i .. ", " .. path .. " " .. name .. ": only regions of " ..
          "chapters/ may be listed here; quote it, or delete its two marker lines")
      else
        table.insert(out, { path = clean_path(path), name = name, line = i })
      end
    end
  end
  return out
end

-- Fails on every region of the sources that no document of the book quotes
-- (a listing that was dropped from the book leaves its markers behind, and
-- a reader of the source takes them for code the book shows), and on every
-- line of the allow-list that is quoted or names no region. Not for a
-- preview of one chapter (pandoc -M preview=true chapters/x.md), which
-- quotes only its own.
local function check_unused_regions(doc)
  if doc.meta.preview ~= nil and stringify(doc.meta.preview) == "true" then return end
  local seen = {}
  local quoted = quoted_regions(doc.blocks, {}, seen)
  local appendix = doc.meta["instructor-appendix"] and stringify(doc.meta["instructor-appendix"])
  if appendix and appendix ~= "" and not seen[clean_path(appendix)] then
    local include = pandoc.CodeBlock("", pandoc.Attr("", { "include" }, { { "file", appendix } }))
    quoted_regions({ include }, quoted, seen)
  end
  local list, regions = source_regions()
  local allowed = {}
  for _, a in ipairs(unused_allowed()) do
    local where = UNUSED_LIST .. " line " .. a.line .. ", " .. a.path .. " " .. a.name .. ": "
    if not (regions[a.path] and regions[a.path][a.name]) then
      fail(where .. "there is no such region (any more): delete the line")
    elseif quoted[a.path] and quoted[a.path][a.name] then
      fail(where .. "the book quotes this region now: delete the line")
    else
      allowed[a.path .. "\0" .. a.name] = true
    end
  end
  for _, r in ipairs(list) do
    local is_quoted = quoted[r.path] and quoted[r.path][r.name]
    if not is_quoted and not allowed[r.path .. "\0" .. r.name] then
      fail("region \"" .. r.name .. "\" in " .. r.path .. " (line " .. r.line .. ") is quoted by " ..
        "no document of the book: quote it, or delete its two marker lines")
    end
  end
end

---------------------------------------------------------------------------
-- Styles for the listings in HTML (LaTeX's are in tools/book.tex)

local CSS = [[
<style>
body { max-width: 46em; }
div.listing { margin: 1em 0; }
div.listing pre { margin-bottom: 0.2em; }
div.listing-source { text-align: right; font-size: 80%; color: #555; margin-bottom: 1em; }
div.listing-source code { background: none; }
pre { overflow-x: auto; background: #f6f6f4; padding: 0.6em 0.8em; border-radius: 3px; }
pre.output { background: #f0f3f6; }
figure { margin: 1.5em 0; text-align: center; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 90%; }
span.figure-number, span.table-number { font-weight: bold; }
span.equation { display: flex; align-items: center; margin: 1em 0; }
span.equation math { flex: 1 1 auto; }
span.eqno { flex: none; margin-left: 1em; }
h1[data-number] > span.header-section-number { display: block; font-size: 55%;
  font-weight: normal; color: #555; margin-bottom: 0.3em; }
h1[data-number] > span.header-section-number::before { content: "Chapter "; }
h1.appendix > span.header-section-number::before { content: "Appendix "; }
h1 { margin-top: 2.5em; }
nav#TOC > ul > li { margin-top: 0.3em; }
nav#TOC ul { padding-left: 1.5em; }
nav#TOC span.toc-section-number { display: inline-block; min-width: 2.2em; }
p.edition { font-style: italic; }
</style>
]]

local function add_css(meta)
  local raw = pandoc.MetaBlocks { pandoc.RawBlock("html", CSS) }
  local hi = meta["header-includes"]
  if hi == nil then
    meta["header-includes"] = pandoc.MetaList { raw }
  elseif pandoc.utils.type(hi) == "List" then
    hi:insert(raw)
    meta["header-includes"] = hi
  else
    meta["header-includes"] = pandoc.MetaList { hi, raw }
  end
  return meta
end

local function stop_on_problems()
  if #problems > 0 then
    error("book.lua: the book cannot be built:\n  " .. table.concat(problems, "\n  ") .. "\n", 0)
  end
end

function Pandoc(doc)
  local inputs = PANDOC_STATE.input_files
  stack = { (inputs and inputs[1] and inputs[1] ~= "-") and inputs[1] or "(stdin)" }
  if doc.meta.edition ~= nil then edition = stringify(doc.meta.edition) end
  if edition ~= "student" and edition ~= "instructor" then
    error("book.lua: edition \"" .. edition .. "\" is not an edition: use student or instructor\n", 0)
  end
  check_unused_regions(doc)
  local blocks = expand(select_edition(doc.blocks))
  if edition == "instructor" then
    local appendix = doc.meta["instructor-appendix"] and stringify(doc.meta["instructor-appendix"])
    if not appendix or appendix == "" then
      fail("the instructor edition needs the metadata key instructor-appendix: the appendix's file")
    else
      blocks:insert(include_file(appendix))
    end
    local note = pandoc.List { pandoc.Str("Instructor's"), pandoc.Space(), pandoc.Str("edition,"),
      pandoc.Space(), pandoc.Str("with"), pandoc.Space(), pandoc.Str("the"), pandoc.Space(),
      pandoc.Str("solutions") }
    local sub = doc.meta.subtitle and pandoc.List(doc.meta.subtitle) or pandoc.List()
    if #sub > 0 then sub:insert(pandoc.LineBreak()) end
    sub:extend(note)
    doc.meta.subtitle = pandoc.MetaInlines(sub)
  end
  stop_on_problems()
  blocks = number_blocks(blocks)
  collect_ids(blocks)
  blocks = resolve_blocks(blocks)
  stop_on_problems()
  local labels_path = os.getenv("BOOK_LABELS")
  if labels_path and labels_path ~= "" then write_labels(labels_path) end
  doc.blocks = blocks
  if is_html() then doc.meta = add_css(doc.meta) end
  if is_latex() then table.insert(doc.blocks, 1, pandoc.RawBlock("latex", LATEX_DEFAULTS)) end
  return doc
end
