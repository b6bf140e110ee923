// browser.mjs: opens the HTML book in headless Chromium, as a reader would, and
// checks what a reader would notice. No npm packages: Chromium is driven over
// its DevTools protocol on a pipe (--remote-debugging-pipe: we write commands
// to its fd 3 and read replies from its fd 4, JSON messages ended by a NUL).
//
//   node tools/book-check/browser.mjs BOOK.html EDITION OUTDIR [chapter-title...]
//
// Checks, each failure one line "FAIL ...", exit 1 if any:
//   - the page loads from the file alone: no request to anything but the file
//     itself and data: URLs (figures embedded), no script error;
//   - every image is embedded and loads (complete, naturalWidth > 0);
//   - every in-page link (#id) has its target, and no identifier is used twice;
//   - the math is MathML (math elements, laid out with a size) and no raw $ or
//     \frac is left in the text outside code;
//   - no reference is left unresolved (pandoc's span.citation, "@fig:", "??");
//   - the table of contents is there; the numbered chapters are, in order, the
//     titles given on the command line; every figure carries its number;
//   - each numbered chapter ends with an Exercises section that names
//     exercises/chN.c; every listing names the source file under it, and that
//     file exists; the appendices are BOOK_APPENDICES's (one title a line), A,
//     B, ... in order; the student edition has no listing from solutions/,
//     the instructor edition one listing of
//     each solutions/chN.c.
// And it takes screenshots: OUTDIR/chapter1.png (the start of chapter 1) and
// OUTDIR/chapter1-figure.png (its first figure), for a person to look at.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [bookArg, edition, outDir, ...chapters] = process.argv.slice(2);
if (!bookArg || !['student', 'instructor'].includes(edition) || !outDir) {
  console.error('usage: browser.mjs BOOK.html student|instructor OUTDIR [chapter-title...]');
  process.exit(2);
}
const book = path.resolve(bookArg);
const bookUrl = pathToFileURL(book).href;
const chromium = process.env.CHROMIUM || 'chromium';
const failures = [];
const fail = (msg) => failures.push(msg);
fs.mkdirSync(outDir, { recursive: true });

// ---------------------------------------------------------------------------
// Chromium on a pipe

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'book-check-'));
const proc = spawn(chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-extensions', '--mute-audio', '--hide-scrollbars', '--disable-dev-shm-usage',
  `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let stderr = '';
proc.stderr.on('data', (d) => { stderr += d; });
const toBrowser = proc.stdio[3];
const fromBrowser = proc.stdio[4];

let nextId = 1;
const pending = new Map();
const listeners = [];
let buffer = '';
fromBrowser.on('data', (chunk) => {
  buffer += chunk.toString('utf8');
  let end;
  while ((end = buffer.indexOf('\0')) >= 0) {
    const msg = JSON.parse(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject, method } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
      else resolve(msg.result);
    } else if (msg.method) {
      for (const l of listeners) l(msg);
    }
  }
});

function send(method, params = {}, sessionId) {
  const id = nextId++;
  const msg = { id, method, params };
  if (sessionId) msg.sessionId = sessionId;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, method });
    toBrowser.write(JSON.stringify(msg) + '\0');
  });
}

function waitFor(method, sessionId, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${method} within ${ms / 1000} s`)), ms);
    listeners.push(function l(msg) {
      if (msg.method === method && msg.sessionId === sessionId) {
        clearTimeout(timer);
        listeners.splice(listeners.indexOf(l), 1);
        resolve(msg.params);
      }
    });
  });
}

// Ends Chromium, and once it has gone (it writes to its profile until then),
// removes the profile and exits.
let finished = false;
let exited = false;
function finish(code) {
  if (finished) return;
  finished = true;
  const done = () => {
    try { fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 }); } catch { /* left in /tmp */ }
    process.exit(code);
  };
  if (exited) { done(); return; }
  proc.once('exit', done);
  try { proc.kill('SIGKILL'); } catch { done(); }
  setTimeout(done, 5000).unref();
}
proc.on('exit', (code, sig) => {
  exited = true;
  if (!finished) {
    console.error(`FAIL chromium exited (${sig || code}) before the checks ended: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    finish(1);
  }
});
proc.on('error', (e) => {
  console.error(`FAIL cannot run ${chromium}: ${e.message} (make book-check installs Debian's chromium)`);
  finish(1);
});
// Only a hang meets it: a busy machine may take many times the usual 10 s.
const watchdog = setTimeout(() => {
  console.error('FAIL the browser checks took over 600 s');
  finish(1);
}, 600000);

// ---------------------------------------------------------------------------
// What runs in the page: every check that needs the laid-out page.

function inPage(edition) {
  return (async () => {
    const r = {};
    const imgs = [...document.images];
    await Promise.all(imgs.map((i) => i.decode().catch(() => {})));
    r.images = imgs.length;
    r.badImages = imgs.filter((i) => !i.complete || i.naturalWidth === 0)
      .map((i) => (i.id || i.alt || i.src.slice(0, 60)));
    r.notEmbedded = imgs.filter((i) => !i.src.startsWith('data:')).map((i) => i.src.slice(0, 80));
    r.svgImages = imgs.filter((i) => i.src.startsWith('data:image/svg+xml')).length;

    const all = [...document.querySelectorAll('[id]')];
    const seen = new Map();
    for (const e of all) seen.set(e.id, (seen.get(e.id) || 0) + 1);
    r.duplicateIds = [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} (${n} times)`);
    const links = [...document.querySelectorAll('a[href^="#"]')];
    r.inPageLinks = links.length;
    r.brokenLinks = links.filter((a) => {
      const id = decodeURIComponent(a.getAttribute('href').slice(1));
      return id !== '' && !document.getElementById(id);
    }).map((a) => `${a.getAttribute('href')} ("${a.textContent.trim().slice(0, 40)}")`);

    const MATHML = 'http://www.w3.org/1998/Math/MathML';
    const maths = [...document.getElementsByTagName('math')];
    r.math = maths.length;
    r.displayMath = maths.filter((m) => m.getAttribute('display') === 'block').length;
    r.mathNotMathML = maths.filter((m) => m.namespaceURI !== MATHML).length;
    r.mathUnlaidOut = maths.filter((m) => {
      const b = m.getBoundingClientRect();
      return b.width <= 0 || b.height <= 0;
    }).length;
    r.mathFallback = document.querySelectorAll('span.math').length;
    r.equationsNumbered = document.querySelectorAll('span.equation > span.eqno').length;

    // Text a reader sees, outside code and math.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.parentElement.closest('pre, code, math, script, style, nav')
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    const prose = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) prose.push(n.textContent);
    const text = prose.join(' ').replace(/\s+/g, ' ');
    const around = (re) => {
      const out = [];
      for (const m of text.matchAll(re)) {
        out.push(text.slice(Math.max(0, m.index - 30), m.index + 30));
        if (out.length >= 3) break;
      }
      return out;
    };
    r.rawDollar = around(/\$/g);
    r.rawTeX = around(/\\(frac|sum|mathbf|text|left|right)\b/g);
    r.unresolved = [...around(/\?\?/g), ...around(/@(fig|sec|eq|tbl):/g), ...around(/\{#[\w:.-]+\}/g)];
    r.citationSpans = document.querySelectorAll('span.citation').length;

    r.toc = document.querySelectorAll('nav#TOC a[href^="#"]').length;
    const h1s = [...document.querySelectorAll('h1[data-number]')];
    const title = (h) => {
      const c = h.cloneNode(true);
      c.querySelectorAll('.header-section-number').forEach((s) => s.remove());
      return c.textContent.replace(/\s+/g, ' ').trim();
    };
    r.chapters = h1s.filter((h) => !h.classList.contains('appendix'))
      .map((h) => ({ number: h.dataset.number, title: title(h), id: h.id }));
    r.appendices = h1s.filter((h) => h.classList.contains('appendix'))
      .map((h) => ({ number: h.dataset.number, title: title(h) }));
    r.figures = document.querySelectorAll('figure').length;
    r.figuresNumbered = document.querySelectorAll('figcaption > span.figure-number').length;

    // Each numbered chapter: its last section is Exercises, naming exercises/chN.c.
    r.exercises = [];
    const heads = [...document.querySelectorAll('h1, h2')];
    for (const h of h1s.filter((x) => !x.classList.contains('appendix'))) {
      const i = heads.indexOf(h);
      let j = i + 1;
      while (j < heads.length && heads[j].tagName === 'H2') j++;
      const h2s = heads.slice(i + 1, j);
      const last = h2s[h2s.length - 1];
      const range = document.createRange();
      if (last) {
        range.setStartAfter(last);
        if (j < heads.length) range.setEndBefore(heads[j]);
        else range.setEndAfter(document.body.lastChild);
      }
      r.exercises.push({
        number: h.dataset.number,
        lastSection: last ? title(last) : null,
        text: last ? range.toString().replace(/\s+/g, ' ') : '',
      });
    }

    const listings = [...document.querySelectorAll('div.listing')];
    r.listings = listings.length;
    r.listingSources = listings.map((l) => {
      const s = l.querySelector(':scope > div.listing-source code');
      return s ? s.textContent : null;
    });
    r.listingsHighlighted = listings.filter((l) => l.querySelector('pre.sourceCode span')).length;
    r.edition = edition;
    return r;
  })();
}

// ---------------------------------------------------------------------------

async function main() {
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  const requests = [];
  const errors = [];
  listeners.push((msg) => {
    if (msg.sessionId !== sessionId) return;
    if (msg.method === 'Network.requestWillBeSent') requests.push(msg.params.request.url);
    if (msg.method === 'Network.loadingFailed') {
      errors.push(`a request failed: ${msg.params.errorText}`);
    }
    if (msg.method === 'Runtime.exceptionThrown') {
      errors.push(`script error: ${msg.params.exceptionDetails.text}`);
    }
  });
  await send('Page.enable', {}, sessionId);
  await send('Network.enable', {}, sessionId);
  await send('Runtime.enable', {}, sessionId);
  await send('Emulation.setDeviceMetricsOverride',
    { width: 1000, height: 1300, deviceScaleFactor: 1, mobile: false }, sessionId);
  const loaded = waitFor('Page.loadEventFired', sessionId, 300000);
  const nav = await send('Page.navigate', { url: bookUrl }, sessionId);
  if (nav.errorText) throw new Error(`cannot open ${book}: ${nav.errorText}`);
  await loaded;

  const { result, exceptionDetails } = await send('Runtime.evaluate', {
    expression: `(${inPage.toString()})(${JSON.stringify(edition)})`,
    awaitPromise: true, returnByValue: true,
  }, sessionId);
  if (exceptionDetails) throw new Error(`the in-page checks failed: ${exceptionDetails.text} ${JSON.stringify(exceptionDetails.exception?.description || '')}`);
  const r = result.value;

  // Offline: only the file itself and data: URLs.
  const outside = requests.filter((u) => u !== bookUrl && !u.startsWith('data:'));
  if (outside.length) fail(`the page fetched something besides itself: ${outside.slice(0, 5).join(', ')}`);
  for (const e of errors) fail(e);

  if (r.images === 0) fail('no images at all');
  if (r.badImages.length) fail(`images that do not load: ${r.badImages.join(', ')}`);
  if (r.notEmbedded.length) fail(`images not embedded in the page: ${r.notEmbedded.join(', ')}`);
  if (r.svgImages !== r.images) fail(`${r.images - r.svgImages} of ${r.images} images are not SVG`);
  if (r.brokenLinks.length) fail(`in-page links without a target: ${r.brokenLinks.slice(0, 10).join(', ')}`);
  if (r.duplicateIds.length) fail(`identifiers used twice: ${r.duplicateIds.slice(0, 10).join(', ')}`);
  if (r.math === 0) fail('no MathML at all (was the book built with --mathml?)');
  if (r.mathNotMathML) fail(`${r.mathNotMathML} math elements are not in the MathML namespace`);
  if (r.mathUnlaidOut) fail(`${r.mathUnlaidOut} math elements have no size: MathML not rendered`);
  if (r.mathFallback) fail(`${r.mathFallback} formulas left as text (span.math)`);
  if (r.rawDollar.length) fail(`a raw $ in the text: ${r.rawDollar.map((s) => `"${s}"`).join(', ')}`);
  if (r.rawTeX.length) fail(`raw TeX in the text: ${r.rawTeX.map((s) => `"${s}"`).join(', ')}`);
  if (r.unresolved.length) fail(`unresolved references in the text: ${r.unresolved.map((s) => `"${s}"`).join(', ')}`);
  if (r.citationSpans) fail(`${r.citationSpans} citations left unresolved (span.citation)`);
  if (r.toc < 3) fail(`no table of contents (nav#TOC has ${r.toc} links)`);
  if (r.figuresNumbered !== r.figures) fail(`${r.figures - r.figuresNumbered} of ${r.figures} figures have no number`);

  const got = r.chapters.map((c) => c.title);
  if (chapters.length && JSON.stringify(got) !== JSON.stringify(chapters)) {
    fail(`the chapters are ${JSON.stringify(got)}, expected ${JSON.stringify(chapters)}`);
  }
  r.chapters.forEach((c, i) => {
    if (c.number !== String(i + 1)) fail(`chapter "${c.title}" is numbered ${c.number}, expected ${i + 1}`);
  });
  for (const e of r.exercises) {
    if (e.lastSection !== 'Exercises') {
      fail(`chapter ${e.number} does not end with an Exercises section (its last is ${JSON.stringify(e.lastSection)})`);
    } else if (!e.text.includes(`exercises/ch${e.number}.c`)) {
      fail(`chapter ${e.number}'s Exercises section does not name exercises/ch${e.number}.c`);
    }
  }
  const sources = r.listingSources;
  if (r.listings === 0) fail('no code listings at all');
  sources.forEach((s, i) => {
    if (s === null) fail(`listing ${i + 1} does not name its source file`);
    else if (!fs.existsSync(s)) fail(`listing ${i + 1} names ${s}, which does not exist`);
  });
  if (r.listingsHighlighted < r.listings) {
    fail(`${r.listings - r.listingsHighlighted} of ${r.listings} listings are not highlighted`);
  }
  const solutionFiles = fs.readdirSync('solutions').filter((f) => /^ch\d+\.c$/.test(f)).map((f) => `solutions/${f}`);
  const fromSolutions = sources.filter((s) => s && s.startsWith('solutions/'));
  if (edition === 'student') {
    if (fromSolutions.length) fail(`the student edition lists ${fromSolutions.join(', ')}`);
  } else {
    for (const f of solutionFiles) {
      const n = fromSolutions.filter((s) => s === f).length;
      if (n !== 1) fail(`the instructor edition lists ${f} ${n} times, not once`);
    }
  }
  // The appendices, as check.sh read them from book.md (and, for the
  // instructor edition, tools/book-instructor.md): A, B, ... in order.
  const expected = (process.env.BOOK_APPENDICES || '').split('\n').filter((t) => t)
    .map((t, i) => `${String.fromCharCode(65 + i)} ${t}`);
  const titles = r.appendices.map((a) => `${a.number} ${a.title}`);
  if (JSON.stringify(titles) !== JSON.stringify(expected)) {
    fail(`the ${edition} edition's appendices are ${JSON.stringify(titles)}, expected ${JSON.stringify(expected)}`);
  }

  // Screenshots of chapter 1 (student edition): its opening, and its first figure.
  const shots = [];
  if (r.chapters.length) {
    const shoot = async (selector, file) => {
      const { result: pos } = await send('Runtime.evaluate', {
        expression: `(() => { const e = document.querySelector(${JSON.stringify(selector)});
          if (!e) return null; e.scrollIntoView({block: 'start'}); window.scrollBy(0, -20);
          return window.scrollY; })()`,
        returnByValue: true,
      }, sessionId);
      if (pos.value === null) return;
      await new Promise((res) => setTimeout(res, 150));
      const { data } = await send('Page.captureScreenshot', { format: 'png' }, sessionId);
      const png = Buffer.from(data, 'base64');
      fs.writeFileSync(path.join(outDir, file), png);
      shots.push(`${path.join(outDir, file)} (${png.length} bytes)`);
    };
    const id = r.chapters[0].id;
    await shoot(`[id="${id}"]`, 'chapter1.png');
    await shoot(`h1[id="${id}"] ~ figure`, 'chapter1-figure.png');
    if (!shots.length) fail('no screenshot of chapter 1 could be taken');
  }

  const name = path.relative(process.cwd(), book);
  if (failures.length) {
    for (const f of failures) console.log(`FAIL ${name}: ${f}`);
    finish(1);
    return;
  }
  console.log(`ok   ${name} in Chromium: ${r.images} images (SVG, embedded) load; ${r.inPageLinks} in-page links ` +
    `resolve, no identifier twice; ${r.math} formulas as MathML (${r.displayMath} displayed, ` +
    `${r.equationsNumbered} numbered), no raw $ or TeX; ${r.chapters.length} chapters ` +
    `(${r.chapters.map((c) => c.number + ' ' + c.title).join('; ')}), each ending with its exercises; ` +
    `${r.figures} figures numbered; ${r.listings} listings, each naming its file; ` +
    (edition === 'student' ? 'no solutions; ' : '') +
    `appendices ${r.appendices.map((a) => a.number + ' ' + a.title).join(', ') || 'none'}` +
    `; nothing fetched from outside the file`);
  for (const s of shots) console.log(`     screenshot ${s}`);
  finish(0);
}

main().catch((e) => {
  console.log(`FAIL ${bookArg}: ${e.message}`);
  finish(1);
}).finally(() => clearTimeout(watchdog));
