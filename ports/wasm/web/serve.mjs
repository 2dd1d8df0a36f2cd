// A small static server for the browser page (loopback only):
//   /                 -> web/index.html        /js/, /web/  -> ports/wasm/js, web
//   /build/locus_runtime.{mjs,wasm}            -> the emscripten build's module
//   /capsule          -> the capsule given with --capsule (the page loads it)
//
//   node ports/wasm/web/serve.mjs --build build/wasm [--capsule X.capsule] [--port 8080]
//
// Exports serve() for the browser test, which picks a free port (--port 0).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const types = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript',
                '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

// Resolves a URL path to a file, or null when it is outside what is served.
function resolve(urlPath, { build, capsule }) {
  if (urlPath === '/' || urlPath === '/index.html') return path.join(root, 'web/index.html');
  if (urlPath === '/capsule') return capsule ?? null;
  const m = /^\/build\/(locus_runtime\.(mjs|wasm))$/.exec(urlPath);
  if (m) return path.join(build, 'ports/wasm', m[1]);
  if (/^\/(js|web)\/[\w.-]+$/.test(urlPath)) return path.join(root, urlPath);
  return null;
}

export function serve({ build, capsule = null, port = 0, host = '127.0.0.1' }) {
  const server = http.createServer((req, res) => {
    const file = resolve(new URL(req.url, 'http://x').pathname, { build, capsule });
    if (!file || !fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`not found: ${req.url}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream',
                         'cache-control': 'no-store' });
    fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
  };
  const build = path.resolve(option('build', path.join(root, '../../build/wasm')));
  if (!fs.existsSync(path.join(build, 'ports/wasm/locus_runtime.wasm'))) {
    console.error(`serve: ${build}/ports/wasm/locus_runtime.wasm not found: build it with scripts/check-wasm`);
    process.exit(2);
  }
  const capsule = option('capsule', null);
  const server = await serve({ build, capsule: capsule && path.resolve(capsule),
                               port: Number(option('port', 8080)) });
  console.log(`serving the Locus page on http://127.0.0.1:${server.address().port}/`);
}
