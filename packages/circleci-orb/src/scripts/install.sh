#!/bin/bash
# chainloop/install: puts a chainloop command on PATH for the following steps (through $BASH_ENV): the CLI the control
# plane serves (the default), the npm package, or a CLI bundle in the checkout.
set -eo pipefail

fail() {
  echo "chainloop/install: $1" >&2
  exit 1
}

install_dir="${PARAM_INSTALL_DIR/#\~/$HOME}"
bin_dir="$install_dir/bin"
cli_source="${PARAM_CLI_SOURCE:-control-plane}"
pinned="${PARAM_CLI_SHA256,,}"

# cli_path predates cli_source: a cli_path with cli_source left at its default means the path source.
if [ -n "$PARAM_CLI_PATH" ]; then
  case "$cli_source" in
    control-plane) cli_source=path ;;
    npm) fail "cli_source npm and cli_path $PARAM_CLI_PATH are both set: remove cli_path to install the npm package, or set cli_source: path to run that bundle" ;;
  esac
fi
case "$cli_source" in
  control-plane | path) ;;
  npm)
    if [ -n "$pinned" ]; then
      fail "cli_sha256 pins the CLI downloaded from the control plane or given as cli_path, not an npm package (npm checks its own integrity): leave cli_sha256 empty with cli_source: npm"
    fi
    ;;
  *) fail "cli_source $cli_source is not one of control-plane, npm, path: fix the cli_source parameter" ;;
esac
if [ -n "$pinned" ] && [[ ! "$pinned" =~ ^[0-9a-f]{64}$ ]]; then
  fail "cli_sha256 \"$PARAM_CLI_SHA256\" is not a SHA-256 digest (64 hex characters): set it to the first field of curl -fsS \$CHAINLOOP_CONTROL_PLANE_API/v1/downloads/chainloop.cjs.sha256, or leave it empty"
fi
if [ "$cli_source" != npm ] && ! command -v node > /dev/null; then
  fail "node not found: the chainloop CLI runs with Node.js 20.19+: run on an image that has it (the chainloop/default executor)"
fi

# Downloads the CLI from the control plane with the job's own node (no curl or wget needed), checks it against the
# digest the control plane announces and the pinned one, and only then moves it into place. Prints its SHA-256.
# Behind a proxy (HTTPS_PROXY / HTTP_PROXY apply to the control plane URL, NO_PROXY does not exempt it) curl downloads:
# Node's fetch ignores those variables on Node 20/22, and speaking CONNECT through node:http here would be a proxy
# client written by hand; without curl the step stops in one line pointing to cli_source npm (npm uses the proxy).
# shellcheck disable=SC2016 # JavaScript template literals, expanded by node
download_js='
const { spawnSync } = require("node:child_process");
const { createHash } = require("node:crypto");
const { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require("node:fs");
const { BlockList, isIP } = require("node:net");
const { dirname } = require("node:path");
const given = process.env.CHAINLOOP_INSTALL_CONTROL_PLANE;
const pinned = process.env.CHAINLOOP_INSTALL_PINNED;
const target = process.env.CHAINLOOP_INSTALL_TARGET;
const fix = "check control_plane / CHAINLOOP_CONTROL_PLANE_API, or install the CLI with cli_source: npm or path";
function fail(message) {
  process.stderr.write(`chainloop/install: ${message.replace(/\s*\n\s*/g, " ")}\n`);
  process.exit(1);
}
let base;
try {
  base = new URL(given);
} catch {}
if (!base || (base.protocol !== "http:" && base.protocol !== "https:")) {
  fail(`control plane URL "${given.replace(/[^/@]*@/, "***@")}" is not an http:// or https:// URL: ${fix}`);
}
// A user name or password in the URL goes in an Authorization header, as curl sends it, and is never printed.
const headers = {};
if (base.username || base.password) {
  const user = `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`;
  headers.authorization = `Basic ${Buffer.from(user).toString("base64")}`;
  base.username = "";
  base.password = "";
}
const shown = base.toString().replace(/\/+$/, "");
const cliUrl = `${shown}/v1/downloads/chainloop.cjs`;
const attempts = 3;

// The proxy for the control plane URL, as the chainloop CLI decides it (curl-like): the scheme variable, lowercase
// first; NO_PROXY entries: *, host or domain suffix (leading dot or not), IP, CIDR, each optionally :port.
function proxyFor(url) {
  const pick = (names) => names.map((name) => [name, (process.env[name] || "").trim()]).find(([, value]) => value);
  const scheme = url.protocol.replace(":", "");
  const set = pick([`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`]);
  if (!set) return undefined;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  const port = Number(url.port) || (scheme === "https" ? 443 : 80);
  const noProxy = pick(["no_proxy", "NO_PROXY"]);
  for (const raw of (noProxy ? noProxy[1] : "").toLowerCase().split(/[\s,]+/)) {
    const [, bracketed, bracketPort] = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw) || [];
    const [, named, namedPort] = bracketed ? [] : /^([^:]+):(\d+)$/.exec(raw) || [];
    const entry = bracketed || named || raw;
    const entryPort = bracketPort || namedPort;
    if (!entry || (entryPort && Number(entryPort) !== port)) continue;
    if (entry === "*") return undefined;
    const [network, bits] = entry.split("/");
    if (isIP(network) && isIP(host) === isIP(network)) {
      const family = isIP(host) === 6 ? "ipv6" : "ipv4";
      const list = new BlockList();
      try {
        if (bits === undefined) list.addAddress(network, family);
        else list.addSubnet(network, Number(bits), family);
      } catch {}
      if (list.check(host, family)) return undefined;
      continue;
    }
    const name = entry.replace(/^\*?\./, "");
    if (!isIP(network) && (host === name || host.endsWith(`.${name}`))) return undefined;
  }
  let proxy;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(set[1]) ? set[1] : `http://${set[1]}`);
  } catch {
    fail(`${set[0]} is not a proxy URL: set it to http://host:port (or http://user:password@host:port), or unset it`);
  }
  return { url: proxy, shown: `${proxy.protocol}//${proxy.host}`, variable: set[0], noProxy: noProxy ? noProxy[0] : "NO_PROXY", host };
}
const proxy = proxyFor(base);
const curl = proxy && (process.env.PATH || "").split(":").map((dir) => `${dir || "."}/curl`).find((file) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});
if (proxy && !curl) {
  fail(`the control plane at ${shown} is reached through the proxy ${proxy.shown} (from ${proxy.variable}), but curl is not on PATH and node cannot use a proxy here: use an image with curl, or install the CLI with cli_source: npm (npm uses the proxy) or path`);
}
if (!proxy && typeof fetch !== "function") fail(`node ${process.version} has no fetch: run on Node.js 20.19+ (the chainloop/default executor)`);

// One GET through the proxy with curl: the proxy URL (and any credentials) on its standard input, never in its
// arguments; the answer as fetch would give it.
function curlGet(url) {
  const quote = (value) => `"${String(value).replace(/[\\"]/g, "\\$&")}"`;
  const body = `${target}.${process.pid}.curl`;
  const config = [`proxy = ${quote(proxy.url.href)}`, `noproxy = ""`, `output = ${quote(body)}`, `url = ${quote(url)}`];
  if (headers.authorization) config.push(`header = ${quote(`Authorization: ${headers.authorization}`)}`);
  mkdirSync(dirname(target), { recursive: true });
  const result = spawnSync(curl, ["--config", "-", "--silent", "--show-error", "--max-time", "120", "--write-out", "%{http_code}"], {
    input: `${config.join("\n")}\n`,
    encoding: "utf8",
  });
  try {
    if (result.status !== 0) {
      const error = new Error((result.stderr || result.error?.message || `curl exited ${result.status}`).trim().split("\n").pop());
      error.proxyFailure = true;
      throw error;
    }
    const status = Number(result.stdout);
    const bytes = readFileSync(body);
    return { status, statusText: require("node:http").STATUS_CODES[status] || "", ok: status === 200, text: async () => bytes.toString("utf8"), arrayBuffer: async () => bytes };
  } finally {
    rmSync(body, { force: true });
  }
}

function describe(error) {
  if (error && error.proxyFailure) return error.message.replace(/\/\/[^/@\s]*@/g, "//");
  if (error && error.name === "TimeoutError") return "no answer within 120 s";
  const cause = (error && error.cause) || {};
  const code = cause.code || (Array.isArray(cause.errors) && cause.errors[0] && cause.errors[0].code);
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host not found";
  if (code && /CERT|SSL|TLS/.test(code)) {
    return `TLS handshake failed: ${code}; if its certificate is private, trust its CA with NODE_EXTRA_CA_CERTS`;
  }
  return code || cause.message || (error && error.message) || String(error);
}

// GET with a retry on connection errors (not on answers: the control plane said what it meant).
async function get(url) {
  const path = new URL(url).pathname;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = proxy ? curlGet(url) : await fetch(url, { headers, signal: AbortSignal.timeout(120000) });
      if (proxy && response.status === 407) {
        fail(`the proxy ${proxy.shown} (from ${proxy.variable}) refused to relay GET ${path} (407 Proxy Authentication Required): check the user and password in ${proxy.variable}, or add ${proxy.host} to ${proxy.noProxy} to connect directly`);
      }
      if (response.status !== 200) {
        const text = await response.text().catch(() => "");
        let detail = "";
        try {
          const body = JSON.parse(text);
          if (typeof body.message === "string") detail = `${typeof body.code === "string" ? `${body.code}: ` : ""}${body.message}`;
        } catch {}
        fail(`the control plane at ${shown} answered ${response.status} ${response.statusText} to GET ${path}${detail ? ` (${detail})` : ""}: ${fix}`);
      }
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      if (attempt >= attempts && proxy) {
        fail(`cannot download the chainloop CLI from the control plane at ${shown} through the proxy ${proxy.shown} (from ${proxy.variable}) (${describe(error)}; ${attempts} attempts): check ${proxy.variable}, or add ${proxy.host} to ${proxy.noProxy} to connect directly, or install the CLI with cli_source: npm or path`);
      }
      if (attempt >= attempts) {
        fail(`cannot download the chainloop CLI from the control plane at ${shown} (${describe(error)}; ${attempts} attempts): check control_plane / CHAINLOOP_CONTROL_PLANE_API and that the control plane is running and reachable from the job, or install the CLI with cli_source: npm or path`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}

(async () => {
  const line = (await get(`${cliUrl}.sha256`)).toString("utf8");
  const announced = /^([0-9a-f]{64})\s/.exec(line)?.[1];
  if (!announced) fail(`the control plane at ${shown} answered GET /v1/downloads/chainloop.cjs.sha256 without a sha256sum line: ${fix}`);
  const bytes = await get(cliUrl);
  const digest = createHash("sha256").update(bytes).digest("hex");
  if (digest !== announced) {
    fail(`chainloop.cjs downloaded from ${shown} has SHA-256 ${digest}, but the control plane announces ${announced}: the download was altered or cut short on the way (a proxy in between?) or the control plane changed its CLI meanwhile; re-run the job, and if it happens again check what sits between the job and the control plane`);
  }
  if (pinned && digest !== pinned) {
    fail(`the CLI the control plane at ${shown} serves has SHA-256 ${digest}, not the pinned cli_sha256 ${pinned}: the control plane serves another CLI (upgraded?); if that is expected pin the new digest (curl -fsS ${shown}/v1/downloads/chainloop.cjs.sha256), else find out who changed it`);
  }
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.download`;
  try {
    writeFileSync(partial, bytes);
    renameSync(partial, target);
  } catch (error) {
    rmSync(partial, { force: true });
    fail(`cannot write the CLI to ${target} (${error.code || error.message}): set install_dir to a folder the job can write`);
  }
  process.stdout.write(digest);
})().catch((error) => fail(`the CLI download failed: ${error && error.message}: ${fix}`));
'

# The SHA-256 of a file, with node as well (the executor image need not have sha256sum).
# shellcheck disable=SC2016 # JavaScript, expanded by node
sha256_js='process.stdout.write(require("node:crypto").createHash("sha256").update(require("node:fs").readFileSync(process.argv[1])).digest("hex"))'

# A two-line wrapper rather than a symlink: the bundle is a .cjs file that needs node in front of it.
write_wrapper() {
  mkdir -p "$bin_dir"
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$1" > "$bin_dir/chainloop"
  chmod +x "$bin_dir/chainloop"
}

case "$cli_source" in
  control-plane)
    control_plane="${PARAM_CONTROL_PLANE:-${CHAINLOOP_CONTROL_PLANE_API:-}}"
    if [ -z "$control_plane" ]; then
      fail "no control plane to download the CLI from: CHAINLOOP_CONTROL_PLANE_API is not set: put the control plane URL in it (the context that holds CHAINLOOP_TOKEN) or in the control_plane parameter, or install the CLI with cli_source: npm or path"
    fi
    digest="$(CHAINLOOP_INSTALL_CONTROL_PLANE="$control_plane" CHAINLOOP_INSTALL_PINNED="$pinned" \
      CHAINLOOP_INSTALL_TARGET="$install_dir/chainloop.cjs" node -e "$download_js")"
    write_wrapper "$install_dir/chainloop.cjs"
    origin="downloaded from the control plane, sha256 $digest"
    ;;
  path)
    if [ -z "$PARAM_CLI_PATH" ]; then
      fail "cli_source path needs cli_path: set cli_path to the chainloop.cjs in the checkout, or leave cli_source at control-plane to download it"
    fi
    cli_path="${PARAM_CLI_PATH/#\~/$HOME}"
    case "$cli_path" in /*) ;; *) cli_path="$PWD/$cli_path" ;; esac
    if [ ! -f "$cli_path" ]; then
      fail "cli_path $PARAM_CLI_PATH not found in $PWD: build or check out the CLI bundle first, or leave cli_path empty to download the CLI from the control plane"
    fi
    if [ -n "$pinned" ]; then
      digest="$(node -e "$sha256_js" "$cli_path")"
      if [ "$digest" != "$pinned" ]; then
        fail "cli_path $PARAM_CLI_PATH has SHA-256 $digest, not the pinned cli_sha256 $pinned: put the pinned CLI there, or pin the digest of this one"
      fi
    fi
    write_wrapper "$cli_path"
    origin="from $cli_path"
    ;;
  npm)
    if ! command -v npm > /dev/null; then
      fail "npm not found: run on an image with Node.js 20.19+ (the chainloop/default executor), or leave cli_source at control-plane"
    fi
    spec="$PARAM_PACKAGE"
    if [ -n "$PARAM_VERSION" ]; then spec="$PARAM_PACKAGE@$PARAM_VERSION"; fi
    npm install --prefix "$install_dir" --no-fund --no-audit --loglevel=error "$spec"
    mkdir -p "$bin_dir"
    ln -sf "$install_dir/node_modules/.bin/chainloop" "$bin_dir/chainloop"
    origin="from npm, $spec"
    ;;
esac

# Only a CLI that runs goes on PATH (a failing --version ends the step with its message).
version="$("$bin_dir/chainloop" --version)"
echo "export PATH=\"$bin_dir:\$PATH\"" >> "$BASH_ENV"
echo "chainloop $version installed in $bin_dir ($origin)"
