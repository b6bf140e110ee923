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
LaTeX \wbnextsource{path} comes before the listing and \wbsourceleftover
after it, and tools/book.tex prints the path in the listing's shaded box, under
its last line (without book.tex, a plain line under the listing).

Run value: an inline span

    []{.value run="ch1" key="example_mean"}

becomes, as plain text, the value of that key in
build/runs/ch1-solutions/values.tsv (lines `key<TAB>value`; blank lines and
lines starting with `#` are skipped). `file="path/values.tsv"` instead of `run`
names another file. What is inside the brackets is dropped. A missing file, a
missing key, a key given twice or a line without a tab fails.

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

Figures: ordinary markdown images,

    ![Sixteen training digits.](build/runs/ch1-solutions/digits.svg){#fig:digits}

must exist. For LaTeX (and beamer) output an .svg is swapped for the .pdf of
the same name beside it, which the chapter programs write too, and that is the
file that must exist. URLs and data: images are left alone.

Unnumbered chapters (`# Before you start {.unnumbered}`) also set LaTeX's
running head, which \chapter* alone leaves at the previous chapter's title.

A fenced block that carries a `file` attribute but none of the classes region,
include or output fails too (a typo such as `.regoin` would otherwise print
an empty code block), as does a span with a `key` but no class `value`.
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

-- The lines of region `name` in `path`, or nil and the reason.
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
  return body
end

-- In LaTeX a listing is announced before its code block with
-- \wbnextsource{path}; tools/book.tex prints the path inside the listing's
-- shaded box, under its last line and never on a page of its own, and
-- \wbsourceleftover prints it under a listing that had no box (plain
-- verbatim). LATEX_DEFAULTS, put at the start of the body, defines plain
-- versions of both for when book.tex is not there.
local LATEX_DEFAULTS = [[
\makeatletter
\@ifundefined{wbnextsource}{%
  \gdef\wbsourcepending{}%
  \newcommand{\wbnextsource}[1]{\gdef\wbsourcepending{#1}}%
  \newcommand{\wbsourceleftover}{\ifx\wbsourcepending\empty\else
    \par\nopagebreak{\raggedleft\footnotesize\texttt{\wbsourcepending}\par}%
    \gdef\wbsourcepending{}\fi}}{}
\makeatother]]

local function listing_source(path)
  return pandoc.Div({ pandoc.Plain { pandoc.Code(path) } }, pandoc.Attr("", { "listing-source" }))
end

local function region_block(cb)
  local path, name = attr(cb, "file"), attr(cb, "name")
  if not path then
    fail("a region block has no file=\"...\"")
    return {}
  end
  local lines, why = extract(path, name)
  if not lines then
    fail(why)
    return {}
  end
  local lang = attr(cb, "lang") or language(path)
  local text = table.concat(lines, "\n")
  if is_latex() then
    local before = pandoc.Plain { pandoc.RawInline("latex", "\\wbnextsource{"), pandoc.Str(path),
                                  pandoc.RawInline("latex", "}") }
    local code = pandoc.CodeBlock(text, pandoc.Attr(cb.identifier, { lang }))
    return { before, code, pandoc.RawBlock("latex", "\\wbsourceleftover") }
  end
  local code = pandoc.CodeBlock(text, pandoc.Attr("", { lang }))
  return pandoc.Div({ code, listing_source(path) }, pandoc.Attr(cb.identifier, { "listing" }))
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

local function value_span(span)
  local key = attr(span, "key")
  local path = attr(span, "file")
  local run = attr(span, "run")
  if not path and run then path = "build/runs/" .. run .. "-solutions/values.tsv" end
  if not key or not path then
    fail("a value span needs key=\"...\" and run=\"...\" (or file=\"...\"), got [" ..
      stringify(span.content) .. "]{" .. (key and ("key=" .. key) or "") ..
      (run and (" run=" .. run) or "") .. "}")
    return pandoc.Str("??")
  end
  local t = load_values(path)
  if t["\0error"] then
    fail(t["\0error"] .. " (wanted key \"" .. key .. "\")")
    return pandoc.Str("??")
  end
  local v = t[key]
  if v == nil then
    fail("key \"" .. key .. "\" not found in " .. path)
    return pandoc.Str("??")
  end
  return pandoc.Str(v)
end

---------------------------------------------------------------------------
-- Includes, output, figures, and the walk that applies them all

local expand  -- forward

local function include_block(cb)
  local path = attr(cb, "file")
  if not path then
    fail("an include block has no file=\"...\"")
    return {}
  end
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
  local blocks = expand(doc.blocks)
  table.remove(stack)
  return blocks
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
  if cb.attributes["file"] ~= nil then
    fail("a code block names file=\"" .. cb.attributes["file"] ..
      "\" but has none of the classes region, include, output (classes: " ..
      table.concat(cb.classes, " ") .. ")")
  end
  return nil
end

local function span(sp)
  if sp.classes:includes("value") then return value_span(sp) end
  if sp.attributes["key"] ~= nil then
    fail("a span names key=\"" .. sp.attributes["key"] .. "\" but has no class value")
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

function Pandoc(doc)
  local inputs = PANDOC_STATE.input_files
  stack = { (inputs and inputs[1] and inputs[1] ~= "-") and inputs[1] or "(stdin)" }
  doc.blocks = expand(doc.blocks)
  if #problems > 0 then
    error("book.lua: the book cannot be built:\n  " .. table.concat(problems, "\n  ") .. "\n", 0)
  end
  if is_html() then doc.meta = add_css(doc.meta) end
  if is_latex() then table.insert(doc.blocks, 1, pandoc.RawBlock("latex", LATEX_DEFAULTS)) end
  return doc
end
