// Bundles the CLI into one CommonJS file that runs with plain `node` and carries no native module.
//
// Start-up: V8 spends ~25 ms compiling the 3 MB bundle on every run, half a `node -e 0`. Node 20 has no built-in
// compile cache (module.enableCompileCache is Node 22), so the file is a small loader that compiles the bundle with a
// V8 code cache kept per user. The bundle rides in a comment, the body of a function at the end of the file: V8 skips a
// comment in ~1 ms where it needs ~16 ms to scan the same code as a string literal (and ~25 ms to parse it as code),
// and the function's source text hands it to the loader without reading the file again. Set
// CHAINLOOP_NO_COMPILE_CACHE=1 to run without the cache. See bench/ (cold start) for the figures.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import Module from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync } from 'node:zlib';
import { build } from 'esbuild';

const cliDir = import.meta.dirname;
const materialsDir = resolve(cliDir, '..', 'core', 'src', 'materials');

/**
 * ajv standalone code for the CycloneDX 1.6 schema, compiled with the options core uses at run time
 * (cyclonedx-ajv.ts): compiling the schema costs ~0.3 s, paid by every `add` of an SBOM otherwise. Formats are taken
 * from the `chainloop-cyclonedx-formats` module below (ajv-formats plus core's extra ones).
 */
async function cycloneDx16Standalone() {
  const generator = await build({
    stdin: {
      contents: `
        import Ajv, { _ } from 'ajv';
        import addFormats from 'ajv-formats';
        import standaloneCode from 'ajv/dist/standalone';
        import { CYCLONEDX_AJV_OPTIONS, CYCLONEDX_EXTRA_FORMATS } from './cyclonedx-ajv';
        import { CYCLONEDX_BOM_SCHEMAS, CYCLONEDX_REFERENCED_SCHEMAS } from './cyclonedx-schemas';
        const ajv = new Ajv({
          ...CYCLONEDX_AJV_OPTIONS,
          schemas: CYCLONEDX_REFERENCED_SCHEMAS,
          code: { source: true, formats: _\`require("chainloop-cyclonedx-formats")\` },
        });
        addFormats(ajv);
        for (const [name, format] of Object.entries(CYCLONEDX_EXTRA_FORMATS)) ajv.addFormat(name, format);
        module.exports = standaloneCode(ajv, ajv.compile(CYCLONEDX_BOM_SCHEMAS['1.6']));
      `,
      loader: 'ts',
      resolveDir: materialsDir,
      sourcefile: 'cyclonedx-standalone-generator.ts',
    },
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });
  const generatorFile = join(cliDir, 'cyclonedx-standalone-generator.cjs');
  const module = new Module(generatorFile);
  module.filename = generatorFile;
  module.paths = Module._nodeModulePaths(cliDir);
  module._compile(generator.outputFiles[0].text, generatorFile);
  return module.exports;
}

const precompiledCycloneDx = {
  name: 'precompiled-cyclonedx',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]materials[\\/]cyclonedx-precompiled\.ts$/ }, async () => ({
      // The standalone code is CommonJS; core is an ES module package, so give it a local `module` to fill.
      contents: `const module = { exports: {} };\n${await cycloneDx16Standalone()}\nexport const precompiledCycloneDx16 = module.exports;\n`,
      loader: 'js',
      resolveDir: materialsDir,
    }));
    esbuild.onResolve({ filter: /^chainloop-cyclonedx-formats$/ }, () => ({
      path: 'chainloop-cyclonedx-formats',
      namespace: 'chainloop',
    }));
    esbuild.onLoad({ filter: /.*/, namespace: 'chainloop' }, () => ({
      contents: `
        const { fullFormats } = require('ajv-formats/dist/formats');
        const { CYCLONEDX_EXTRA_FORMATS } = require('./cyclonedx-ajv');
        module.exports = { ...fullFormats, ...CYCLONEDX_EXTRA_FORMATS };
      `,
      loader: 'js',
      resolveDir: materialsDir,
    }));
  },
};

/**
 * The bundle must be pure ASCII (see the loader); esbuild escapes other characters in strings but not in regular
 * expression literals, and the CEL engine's duration pattern has a `\u00b5s` unit: its non-ASCII characters are
 * written as `\uXXXX` escapes, which mean the same in strings, templates, regular expressions and identifiers.
 */
const asciiCelEngine = {
  name: 'ascii-cel-engine',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]@marcbachmann[\\/]cel-js[\\/].*\.js$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replace(
        /[^\x00-\x7f]/g,
        (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
      ),
      loader: 'js',
    }));
  },
};

/**
 * ssh2 (under dockerode) tries optional native addons (`sshcrypto.node`, `cpu-features`) inside try/catch and falls
 * back to JavaScript; resolving them to a module that throws keeps the bundle free of native requires. The proxy
 * agents import `kerberos` (native) only for Negotiate proxy authentication, which the CLI never asks for.
 */
const nativeAddonStub = {
  name: 'native-addon-stub',
  setup(esbuild) {
    esbuild.onResolve({ filter: /\.node$|^cpu-features$|^kerberos$/ }, (args) => ({
      path: args.path,
      namespace: 'native-addon-stub',
    }));
    esbuild.onLoad({ filter: /.*/, namespace: 'native-addon-stub' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`native addon ${args.path} is not bundled in the chainloop CLI`)});`,
      loader: 'js',
    }));
  },
};

/**
 * dockerode loads ssh2 (ssh:// docker hosts) and gRPC (BuildKit sessions) at start, a megabyte of code the CLI never
 * runs: it only asks a local engine for an image's digest. Every start reads the whole bundle, so they are replaced
 * by stand-ins that load fine and fail, with a clear message, only if used.
 */
const unusedDockerodeFeatures = {
  name: 'unused-dockerode-features',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^(ssh2|@grpc\/grpc-js|@grpc\/proto-loader)$/ }, (args) => ({
      path: args.path,
      namespace: 'unused-dockerode-feature',
    }));
    esbuild.onLoad({ filter: /.*/, namespace: 'unused-dockerode-feature' }, (args) => ({
      contents: `
        const unsupported = () => {
          throw new Error(${JSON.stringify(`${args.path} is not bundled in the chainloop CLI: reach the local engine through a unix socket or tcp:// DOCKER_HOST`)});
        };
        module.exports = new Proxy(unsupported, {
          get: (target, property) => (typeof property === 'symbol' || property === '__esModule' ? undefined : unsupported),
          construct: unsupported,
          apply: unsupported,
        });
      `,
      loader: 'js',
    }));
  },
};

/**
 * Node built-ins that cost 2–3 ms each to load (crypto, child_process, http, https, tls), or that drag in the stream
 * stack (fs/promises loads readline and streams; stream, stream/promises, net, zlib, readline) are loaded when first used, not when
 * a module importing them is initialised (ours, or a dependency's: commander requires child_process at start for
 * executable subcommands this CLI has none of): `status` and `--version` need none of them, `add` of a string no http. Each
 * is replaced by a proxy that requires the real module on the first property read. esbuild's interop copies a module's
 * properties as getters (`__toESM`), so the proxy lists the property names (taken from this Node at build time) and
 * describes them without loading anything.
 */
const LAZY_BUILTINS =
  /^(node:)?(crypto|child_process|http|https|tls|fs\/promises|stream|stream\/promises|net|zlib|readline)$/;
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(esbuild) {
    const requireBuiltin = Module.createRequire(import.meta.url);
    esbuild.onResolve({ filter: LAZY_BUILTINS }, (args) =>
      args.namespace === 'lazy-builtin'
        ? { path: args.path, external: true }
        : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
    );
    esbuild.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `
        let loaded;
        const load = () => (loaded ??= require('node:${args.path}'));
        const names = ${JSON.stringify(Object.getOwnPropertyNames(requireBuiltin(`node:${args.path}`)))};
        // A set: every module importing this one has its names described one by one (esbuild's __toESM).
        const known = new Set(names);
        module.exports = new Proxy({}, {
          get: (_, key) => load()[key],
          has: (_, key) => key in load(),
          ownKeys: () => names,
          getOwnPropertyDescriptor: (_, key) =>
            known.has(key) ? { value: undefined, writable: true, enumerable: true, configurable: true } : undefined,
        });
      `,
      loader: 'js',
    }));
  },
};

/** The control plane package itself stays outside the bundle (esbuild's `external` would take its subpaths too). */
const controlPlaneExternal = {
  name: 'control-plane-external',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^@chainloop-ts\/control-plane$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/** Where a packed bundle finds the loader's code-cached compiler (see `loader` below); plain `new Function` without it. */
const COMPILE_PACKED = 'chainloop-ts.compile-packed';

/** Where the CLI publishes the shape of its run for the loader (src/compile-shape.ts): names only, never a value. */
const COMPILE_SHAPE = 'chainloop.compileShape';

/**
 * The runtime of packed code: unpacks a brotli-packed, self-contained CommonJS bundle and runs it once. The loader
 * compiles it with a V8 code cache of its own, so a command that needs it pays ~1 ms instead of a full compile.
 */
const packedRuntime = {
  name: 'packed-runtime',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^chainloop-packed-runtime$/ }, (args) => ({ path: args.path, namespace: 'packed' }));
    esbuild.onLoad({ filter: /.*/, namespace: 'packed' }, () => ({
      contents: `
        const { brotliDecompressSync } = require('node:zlib');
        exports.runPacked = (name, packed) => {
          const source = brotliDecompressSync(Buffer.from(packed, 'base64')).toString('latin1');
          const compile = globalThis[Symbol.for(${JSON.stringify(COMPILE_PACKED)})];
          const factory =
            typeof compile === 'function' ? compile(name, source) : new Function('module', 'exports', 'require', source);
          const unpacked = { exports: {} };
          factory(unpacked, unpacked.exports, require);
          return unpacked.exports;
        };
      `,
      loader: 'js',
    }));
  },
};

/** Bundles `entry` on its own (self-contained CommonJS, only Node built-ins left to `require`), minified and packed. */
async function packBundle(buildOptions) {
  const packed = await build({
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    logLevel: 'warning',
    legalComments: 'none',
    ...buildOptions,
  });
  const code = packed.outputFiles[0].text;
  if (/[^\x00-\x7f]/.test(code)) throw new Error('a packed bundle is not pure ASCII: the runtime would misread it');
  return brotliCompressSync(Buffer.from(code)).toString('base64');
}

/**
 * Code that only some commands run travels brotli-packed in a string and is unpacked when first imported: every start
 * reads (and V8 deserialises the declarations of) the whole bundle, and each megabyte of code there costs every
 * command ~6 ms (bench/ §2). Two kinds:
 * - core modules (by file, under materials/), replaced by a module re-exporting the given names: the CycloneDX
 *   schemas and the 1 MB precompiled validator, for an SBOM `add`; the OpenAPI and AsyncAPI schemas with the ajv
 *   that compiles them (a copy of its own, only these validators use it);
 * - npm packages core imports dynamically (`await import('dockerode')`), replaced by the package's own exports:
 *   dockerode (local engine images), @peculiar/x509 (keyless certificates), tar and yauzl (archive materials),
 *   csv-parse (sigcheck reports), the proxy agents (only when HTTPS_PROXY / HTTP_PROXY applies to a request),
 *   tinyglobby (`add --from-glob`; packed as `require` sees it, so its walker fdir comes in its CommonJS build: the ES
 *   one calls createRequire(import.meta.url), and import.meta is empty in this CommonJS bundle), graphql (GraphQL
 *   schemas, 420 KB), fast-xml-parser (JUnit, coverage and other XML reports), the CEL engine (only contracts with
 *   policies load it) and @noble/curves' Ed25519 (Ed25519 keys only).
 */
function packed({ modules, packages }) {
  const packageFilter = new RegExp(`^(${packages.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`);
  return {
    name: 'packed',
    setup(esbuild) {
      for (const { file, exports } of modules) {
        const filter = new RegExp(`[\\\\/]materials[\\\\/]${file.replace('.', '\\.')}$`);
        esbuild.onLoad({ filter }, async (args) => {
          const code = await packBundle({ entryPoints: [args.path], plugins: [precompiledCycloneDx] });
          return {
            contents: `
              import { runPacked } from 'chainloop-packed-runtime';
              const unpacked = runPacked(${JSON.stringify(file.replace(/\.ts$/, ''))}, ${JSON.stringify(code)});
              ${exports.map((name) => `export const ${name} = unpacked.${name};`).join('\n')}
            `,
            loader: 'js',
            resolveDir: materialsDir,
          };
        });
      }
      esbuild.onResolve({ filter: packageFilter }, (args) => ({
        path: args.path,
        namespace: 'packed-package',
        pluginData: { resolveDir: args.resolveDir },
      }));
      esbuild.onLoad({ filter: /.*/, namespace: 'packed-package' }, async (args) => {
        const code = await packBundle({
          stdin: {
            contents: `module.exports = require(${JSON.stringify(args.path)});`,
            resolveDir: args.pluginData.resolveDir,
          },
          plugins: [nativeAddonStub, unusedDockerodeFeatures, asciiCelEngine],
        });
        const name = args.path.replace(/^@/, '').replace(/\//g, '-');
        return {
          contents: `module.exports = require('chainloop-packed-runtime').runPacked(${JSON.stringify(name)}, ${JSON.stringify(code)});`,
          loader: 'js',
          resolveDir: cliDir,
        };
      });
    },
  };
}

/** Builds the single-file CLI into `outfile` (also used by the GitHub Action, which ships the CLI of its commit). */
export async function buildCliBundle(outfile = join(cliDir, 'dist', 'chainloop.cjs')) {
  const result = await build({
    entryPoints: [join(cliDir, 'src/bin.ts')],
    absWorkingDir: cliDir,
    bundle: true,
    write: false,
    outfile,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // The control plane (and its native SQLite driver) is loaded lazily by `chainloop control-plane start`; only its
    // flag table (`@chainloop-ts/control-plane/start-options`, plain data) is bundled.
    external: ['better-sqlite3', 'pg-native'],
    // Comments and indentation are a third of the bundle and are read on every start; names stay, for stack traces.
    minifyWhitespace: true,
    plugins: [
      packed({
        modules: [
          { file: 'cyclonedx-precompiled.ts', exports: ['precompiledCycloneDx16'] },
          { file: 'cyclonedx-schemas.ts', exports: ['CYCLONEDX_BOM_SCHEMAS', 'CYCLONEDX_REFERENCED_SCHEMAS'] },
          // The OpenAPI and AsyncAPI schemas (~300 KB) with the ajv they compile with.
          { file: 'api-spec-schemas.ts', exports: ['openApiValidators', 'asyncApiValidators'] },
        ],
        packages: [
          'dockerode',
          '@peculiar/x509',
          'reflect-metadata',
          'tar',
          'yauzl',
          'csv-parse/sync',
          'https-proxy-agent',
          'http-proxy-agent',
          'tinyglobby',
          'graphql',
          'fast-xml-parser',
          '@marcbachmann/cel-js',
          '@noble/curves/ed25519',
        ],
      }),
      packedRuntime,
      asciiCelEngine,
      nativeAddonStub,
      unusedDockerodeFeatures,
      lazyBuiltins,
      controlPlaneExternal,
    ],
    logLevel: 'warning',
    legalComments: 'none',
  });
  const bundle = result.outputFiles[0].text;
  const id = createHash('sha256').update(bundle).digest('hex').slice(0, 16);

  /**
   * The loader, serialised into dist/chainloop.cjs with the bundle's `id`, the packed-code hook name and the name of
   * the shape the CLI publishes as arguments. It runs the bundle as this very module (same require, module,
   * __filename), compiled with the cached code when V8 accepts it, and writes the cache at exit when there was none or
   * the run had a new shape (so the functions this command compiled are in it too): one cache per command, and one per
   * packed bundle. Nothing the user typed goes into a cache but command and option names (see `publishedShape`). The caches live in a directory only this user can write,
   * since V8 executes what it finds there; any problem with it means compiling without.
   */
  function loader(id, compilePackedHook, compileShapeKey) {
    const fs = require('node:fs');
    const path = require('node:path');
    const vm = require('node:vm');
    const Module = require('node:module');

    // The payload is the comment that is the body of chainloopBundle() below: its source text is already in memory
    // (Node read this file to run it), so it is not read a second time. The marker is split here so this source does
    // not contain it.
    // chainloopBundle is declared after this function, in the generated file.
    const file = chainloopBundle.toString();
    const start = file.indexOf(`/*${'chainloop-bundle'} ${id}\n`);
    const end = file.lastIndexOf('\n*/');
    if (start < 0 || end < start) throw new Error(`${__filename} is damaged (no bundle in it): reinstall the CLI`);
    // replaceAll with a string is a fast search; a regex over the 3 MB costs ~3 ms.
    const bundle = file.slice(file.indexOf('\n', start) + 1, end).replaceAll('*\x01/', '*/');

    let cacheDir;
    if (!process.env.CHAINLOOP_NO_COMPILE_CACHE) {
      try {
        // os.homedir() reads HOME first too; node:os is loaded only without it.
        const home = process.env.HOME || require('node:os').homedir();
        const base = process.env.XDG_CACHE_HOME || path.join(home, '.cache');
        const dir = path.join(base, 'chainloop-ts');
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const info = fs.statSync(dir);
        const uid = process.getuid ? process.getuid() : info.uid;
        if (info.uid === uid && (info.mode & 0o022) === 0) cacheDir = dir;
      } catch {
        cacheDir = undefined;
      }
    }
    const cachePath = (name) =>
      path.join(cacheDir, `${['cli', id, process.version, process.arch, name].filter(Boolean).join('-')}.v8cache`);
    // A cache holds the functions compiled by the runs that wrote it, so it is rewritten (with everything compiled so
    // far) when a run of a new shape comes: `add` of a JUnit report runs other code than `add` of a string. A cache
    // remembers up to 32 shapes in its header. The shape is not read from argv, whose values may be secrets (`--token
    // -abc`): the CLI publishes it once commander parsed the arguments (src/compile-shape.ts), as names it defines
    // only: the command path, the options given (not their values), the material kinds crafted. Without it, or with
    // anything else in it, no cache is written.
    const MAGIC = 'CLC1';
    const compiled = [];
    const compile = (source, filename, cacheFile, commandWords) => {
      let cachedData;
      let shapes = [];
      try {
        if (cacheFile && fs.existsSync(cacheFile)) {
          const file = fs.readFileSync(cacheFile);
          if (file.toString('latin1', 0, 4) === MAGIC) {
            const headerEnd = 8 + file.readUInt32LE(4);
            shapes = JSON.parse(file.toString('utf8', 8, headerEnd));
            cachedData = file.subarray(headerEnd);
          }
        }
      } catch {
        cachedData = undefined;
      }
      const script = new vm.Script(source, {
        filename,
        cachedData,
        importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      });
      if (cacheFile) {
        const fresh = cachedData === undefined || script.cachedDataRejected || !Array.isArray(shapes);
        // The shapes kept were written by this very build (its id names the file), from what the CLI published.
        compiled.push({
          cacheFile,
          script,
          shapes: fresh ? [] : shapes.filter((shape) => typeof shape === 'string'),
          commandWords,
        });
      }
      return script.runInThisContext();
    };
    // The shape the CLI published, as one string, or undefined when there is none or it holds anything but names.
    const publishedShape = () => {
      const shape = globalThis[Symbol.for(compileShapeKey)];
      const all = (list, pattern) => Array.isArray(list) && list.every((name) => pattern.test(name));
      if (
        !shape ||
        !Array.isArray(shape.command) ||
        !shape.command.every((names) => Array.isArray(names) && names.every((name) => typeof name === 'string')) ||
        !all(shape.options, /^--?[A-Za-z0-9][A-Za-z0-9-]{0,60}$/) ||
        !all(shape.kinds, /^[A-Z][A-Z0-9_]{0,60}$/)
      ) {
        return undefined;
      }
      return [...new Set([...shape.options, ...shape.kinds])].sort().join(' ').slice(0, 200);
    };
    process.once('exit', () => {
      if (compiled.length === 0) return;
      try {
        const runShape = publishedShape();
        if (runShape === undefined) return;
        // A command's cache is named after the first words of argv: written only when the CLI ran those commands, so
        // a word that is no command (a mistyped one, a positional value) never names a file.
        const ran = globalThis[Symbol.for(compileShapeKey)].command;
        let written = 0;
        for (const { cacheFile, script, shapes, commandWords } of compiled) {
          if (commandWords && !commandWords.every((word, index) => ran[index]?.includes(word))) continue;
          if (shapes.includes(runShape) || shapes.length >= 32) continue;
          const header = Buffer.from(JSON.stringify([...shapes, runShape]));
          const length = Buffer.alloc(4);
          length.writeUInt32LE(header.length);
          const temporary = `${cacheFile}.${process.pid}.tmp`;
          fs.writeFileSync(temporary, Buffer.concat([Buffer.from(MAGIC), length, header, script.createCachedData()]), {
            mode: 0o600,
          });
          fs.renameSync(temporary, cacheFile);
          written++;
        }
        if (written === 0) return;
        // Caches of old builds are dead weight; keep the three most recently written builds (a machine may run a few
        // CLI versions side by side, e.g. several CI adapters) so they do not evict each other on every run.
        const builds = new Map();
        for (const entry of fs.readdirSync(cacheDir)) {
          const build = /^cli-([0-9a-f]{16})-/.exec(entry)?.[1];
          if (build)
            builds.set(build, Math.max(builds.get(build) ?? 0, fs.statSync(path.join(cacheDir, entry)).mtimeMs));
        }
        const keep = new Set(
          [...builds]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 3)
            .map(([build]) => build),
        );
        for (const entry of fs.readdirSync(cacheDir)) {
          const build = /^cli-([0-9a-f]{16})-/.exec(entry)?.[1];
          if (build && build !== id && !keep.has(build)) fs.rmSync(path.join(cacheDir, entry), { force: true });
        }
      } catch {
        // A cache that cannot be written only costs the next run the compile time.
      }
    });

    // Packed code (see `packed` in build.mjs) is compiled here, with a cache of its own per packed bundle.
    globalThis[Symbol.for(compilePackedHook)] = (name, source) =>
      compile(
        `(function (module, exports, require) {${source}\n})`,
        `${__filename}#${name}`,
        cacheDir && /^[a-z0-9-]{1,60}$/.test(name) ? cachePath(`packed-${name}`) : undefined,
      );

    // One cache per command: each holds the functions its command compiled, not just the first command's.
    const command = [];
    for (const arg of process.argv.slice(2, 4)) {
      if (!/^[a-z][a-z-]{0,30}$/.test(arg)) break;
      command.push(arg);
    }
    const run = compile(Module.wrap(bundle), __filename, cacheDir ? cachePath(command.join('-')) : undefined, command);
    run.call(module.exports, module.exports, require, module, __filename, __dirname);
  }

  // ASCII keeps the file's string one byte per character for Node and V8 (esbuild escapes the rest).
  if (/[^\x00-\x7f]/.test(bundle)) throw new Error('the CLI bundle is not pure ASCII: the loader would misread it');
  // Inside a block comment only `*/` needs escaping: as `*\x01/`, unambiguous since the bundle has no \x01 of its own.
  if (bundle.includes('\x01')) throw new Error('the CLI bundle contains \\x01: choose another escape for its payload');
  const payload = bundle.replaceAll('*/', '*\x01/');
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(
    outfile,
    `#!/usr/bin/env node\n'use strict';\n(${loader.toString()})(${JSON.stringify(id)}, ${JSON.stringify(COMPILE_PACKED)}, ${JSON.stringify(COMPILE_SHAPE)});\nfunction chainloopBundle() {/*chainloop-bundle ${id}\n${payload}\n*/}\n`,
  );
  chmodSync(outfile, 0o755);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildCliBundle();
