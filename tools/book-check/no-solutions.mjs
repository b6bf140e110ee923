// no-solutions.mjs: the student edition holds no solution code.
//
//   node tools/book-check/no-solutions.mjs STUDENT.html INSTRUCTOR.html
//   node tools/book-check/no-solutions.mjs --shipped FILE...
//
// Takes the lines inside the braces of solutions/chN.c (the function bodies)
// that are the solution's own: not in the stubs (exercises/), nor anywhere in
// lib/ or chapters/ (code the book shows for other reasons), nor a comment, nor
// too short to say anything ("}", "return 0;"). A line the tests share with a
// solution (a test's own reference) still counts: showing it would show the
// solution. Then reads the code in each HTML book (the
// text of its <pre> blocks, tags stripped, entities decoded, spaces collapsed)
// and fails when any of those lines is in the student edition, or when the
// instructor edition, which shows every solution whole, lacks any of them (the
// check itself would then be blind).
//
// --shipped: the files of the student copy's book/ (make student-dist), with
// no instructor edition beside them: an .html file's code as above, any other
// file (the PDF through pdftotext) line by line. None may hold a line of
// solution code; and each must hold at least 20 of the lines of lib/, chapters/
// and exercises/ that the HTML shows, or the check would be blind to it.
// Run from the top folder of the whole workbook (it reads solutions/).
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const shipped = args[0] === '--shipped' ? args.slice(1) : null;
const [student, instructor] = args;
if (shipped ? shipped.length === 0 : !student || !instructor || args.length !== 2) {
  console.error('usage: no-solutions.mjs STUDENT.html INSTRUCTOR.html\n' +
    '       no-solutions.mjs --shipped FILE...   (an .html book, or a PDF book as pdftotext wrote it)');
  process.exit(2);
}
for (const f of shipped || [student, instructor]) {
  if (!fs.existsSync(f)) {
    console.error(`no-solutions: ${f} does not exist`);
    process.exit(2);
  }
}
if (!fs.existsSync('solutions')) {
  console.error('no-solutions: no solutions/ here: run it from the top folder of the whole workbook');
  process.exit(2);
}
const norm = (l) => l.replace(/\s+/g, ' ').trim();

function filesUnder(dir, re) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p, re) : (re.test(e.name) ? [p] : []);
  });
}

// Lines that the book may show without showing a solution.
const elsewhere = new Set();
for (const f of [...filesUnder('lib', /\.[ch]$/), ...filesUnder('chapters', /\.[ch]$/),
  ...filesUnder('exercises', /\.c$/)]) {
  for (const l of fs.readFileSync(f, 'utf8').split('\n')) elsewhere.add(norm(l));
}

// The lines inside braces (function bodies, whatever their signature's
// shape), by counting braces outside comments, strings and characters.
const own = new Map(); // line -> file
const solutionFiles = fs.readdirSync('solutions').filter((f) => /^ch\d+\.c$/.test(f)).sort();
for (const f of solutionFiles) {
  let depth = 0;
  let inComment = false;
  for (const raw of fs.readFileSync(path.join('solutions', f), 'utf8').split('\n')) {
    let code = raw;
    if (inComment) {
      const end = code.indexOf('*/');
      if (end < 0) continue;
      code = code.slice(end + 2);
      inComment = false;
    }
    code = code.replace(/\/\*.*?\*\//g, ' ').replace(/"(\\.|[^"\\])*"/g, '""')
      .replace(/'(\\.|[^'\\])*'/g, "''").replace(/\/\/.*$/, '');
    if (code.includes('/*')) { inComment = true; code = code.slice(0, code.indexOf('/*')); }
    const inside = depth > 0;
    for (const c of code) depth += c === '{' ? 1 : c === '}' ? -1 : 0;
    if (!inside || depth <= 0) continue;  // the opening and the closing lines
    const l = norm(raw);
    if (l.length < 12 || l.startsWith('//') || l.startsWith('/*') || l.startsWith('*')) continue;
    if (elsewhere.has(l)) continue;
    if (!own.has(l)) own.set(l, `solutions/${f}`);
  }
}
if (own.size < 5 * solutionFiles.length) {
  console.log(`FAIL only ${own.size} lines of solutions/ are their own: is the extraction broken?`);
  process.exit(1);
}

// The code a reader sees in an HTML book: the text of its <pre> blocks.
function codeLines(file) {
  const html = fs.readFileSync(file, 'utf8');
  const lines = new Set();
  for (const m of html.matchAll(/<pre\b[^>]*>([\s\S]*?)<\/pre>/g)) {
    const text = m[1].replace(/<[^>]*>/g, '')
      .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
      .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
      .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'").replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&');
    for (const l of text.split('\n')) lines.add(norm(l));
  }
  return lines;
}

if (shipped) {
  // The lines the book takes from lib/, chapters/ and exercises/: long enough
  // to be code, not a comment. A file that shows none of them is unreadable here.
  const shown = new Set([...elsewhere].filter((l) => l.length >= 20 && !/^(\/\/|\/\*|\*)/.test(l)));
  let failed = false;
  for (const f of shipped) {
    const lines = f.endsWith('.html') ? codeLines(f)
      : new Set(fs.readFileSync(f, 'utf8').split('\n').map(norm));
    const leaked = [...own].filter(([l]) => lines.has(l));
    for (const [l, s] of leaked.slice(0, 10)) console.log(`FAIL ${f} shows a line of ${s}: ${l}`);
    const seen = [...shown].filter((l) => lines.has(l)).length;
    if (seen < 20) console.log(`FAIL ${f}: only ${seen} lines of the book's code found in it: is it the book, and readable?`);
    if (leaked.length || seen < 20) failed = true;
    else console.log(`ok   ${f}: none of the ${own.size} lines of solution code in it (it shows ${seen} lines of the workbook's code)`);
  }
  process.exit(failed ? 1 : 0);
}

let failed = false;
const inStudent = [...own].filter(([l]) => codeLines(student).has(l));
if (inStudent.length) {
  failed = true;
  for (const [l, f] of inStudent.slice(0, 10)) console.log(`FAIL ${student} shows a line of ${f}: ${l}`);
}
const instructorCode = codeLines(instructor);
const missing = [...own].filter(([l]) => !instructorCode.has(l));
if (missing.length) {
  failed = true;
  for (const [l, f] of missing.slice(0, 5)) console.log(`FAIL ${instructor} lacks a line of ${f} (the check cannot see the solutions): ${l}`);
}
if (failed) process.exit(1);
console.log(`ok   ${student}: none of the ${own.size} lines of solution code in the bodies of ` +
  `${solutionFiles.map((f) => 'solutions/' + f).join(', ')} is in it; ${instructor} has every one`);
