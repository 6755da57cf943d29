import { createRequire as __createRequire } from 'node:module';
const require = __createRequire(import.meta.url);
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __require = /* @__PURE__ */ ((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, {
  get: (a, b) => (typeof require !== "undefined" ? require : a)[b]
}) : x)(function(x) {
  if (typeof require !== "undefined") return require.apply(this, arguments);
  throw Error('Dynamic require of "' + x + '" is not supported');
});
var __commonJS = (cb, mod) => function __require2() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// ../../node_modules/@actions/core/lib/utils.js
var require_utils = __commonJS({
  "../../node_modules/@actions/core/lib/utils.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.toCommandProperties = exports.toCommandValue = void 0;
    function toCommandValue(input) {
      if (input === null || input === void 0) {
        return "";
      } else if (typeof input === "string" || input instanceof String) {
        return input;
      }
      return JSON.stringify(input);
    }
    exports.toCommandValue = toCommandValue;
    function toCommandProperties(annotationProperties) {
      if (!Object.keys(annotationProperties).length) {
        return {};
      }
      return {
        title: annotationProperties.title,
        file: annotationProperties.file,
        line: annotationProperties.startLine,
        endLine: annotationProperties.endLine,
        col: annotationProperties.startColumn,
        endColumn: annotationProperties.endColumn
      };
    }
    exports.toCommandProperties = toCommandProperties;
  }
});

// ../../node_modules/@actions/core/lib/command.js
var require_command = __commonJS({
  "../../node_modules/@actions/core/lib/command.js"(exports) {
    "use strict";
    var __createBinding = exports && exports.__createBinding || (Object.create ? (function(o, m, k, k2) {
      if (k2 === void 0) k2 = k;
      var desc = Object.getOwnPropertyDescriptor(m, k);
      if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
        desc = { enumerable: true, get: function() {
          return m[k];
        } };
      }
      Object.defineProperty(o, k2, desc);
    }) : (function(o, m, k, k2) {
      if (k2 === void 0) k2 = k;
      o[k2] = m[k];
    }));
    var __setModuleDefault = exports && exports.__setModuleDefault || (Object.create ? (function(o, v) {
      Object.defineProperty(o, "default", { enumerable: true, value: v });
    }) : function(o, v) {
      o["default"] = v;
    });
    var __importStar = exports && exports.__importStar || function(mod) {
      if (mod && mod.__esModule) return mod;
      var result = {};
      if (mod != null) {
        for (var k in mod) if (k !== "default" && Object.prototype.hasOwnProperty.call(mod, k)) __createBinding(result, mod, k);
      }
      __setModuleDefault(result, mod);
      return result;
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.issue = exports.issueCommand = void 0;
    var os = __importStar(__require("os"));
    var utils_1 = require_utils();
    function issueCommand2(command, properties, message) {
      const cmd = new Command(command, properties, message);
      process.stdout.write(cmd.toString() + os.EOL);
    }
    exports.issueCommand = issueCommand2;
    function issue(name, message = "") {
      issueCommand2(name, {}, message);
    }
    exports.issue = issue;
    var CMD_STRING = "::";
    var Command = class {
      constructor(command, properties, message) {
        if (!command) {
          command = "missing.command";
        }
        this.command = command;
        this.properties = properties;
        this.message = message;
      }
      toString() {
        let cmdStr = CMD_STRING + this.command;
        if (this.properties && Object.keys(this.properties).length > 0) {
          cmdStr += " ";
          let first = true;
          for (const key in this.properties) {
            if (this.properties.hasOwnProperty(key)) {
              const val = this.properties[key];
              if (val) {
                if (first) {
                  first = false;
                } else {
                  cmdStr += ",";
                }
                cmdStr += `${key}=${escapeProperty(val)}`;
              }
            }
          }
        }
        cmdStr += `${CMD_STRING}${escapeData(this.message)}`;
        return cmdStr;
      }
    };
    function escapeData(s) {
      return (0, utils_1.toCommandValue)(s).replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
    }
    function escapeProperty(s) {
      return (0, utils_1.toCommandValue)(s).replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/:/g, "%3A").replace(/,/g, "%2C");
    }
  }
});

// ../../node_modules/@actions/core/lib/file-command.js
var require_file_command = __commonJS({
  "../../node_modules/@actions/core/lib/file-command.js"(exports) {
    "use strict";
    var __createBinding = exports && exports.__createBinding || (Object.create ? (function(o, m, k, k2) {
      if (k2 === void 0) k2 = k;
      var desc = Object.getOwnPropertyDescriptor(m, k);
      if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
        desc = { enumerable: true, get: function() {
          return m[k];
        } };
      }
      Object.defineProperty(o, k2, desc);
    }) : (function(o, m, k, k2) {
      if (k2 === void 0) k2 = k;
      o[k2] = m[k];
    }));
    var __setModuleDefault = exports && exports.__setModuleDefault || (Object.create ? (function(o, v) {
      Object.defineProperty(o, "default", { enumerable: true, value: v });
    }) : function(o, v) {
      o["default"] = v;
    });
    var __importStar = exports && exports.__importStar || function(mod) {
      if (mod && mod.__esModule) return mod;
      var result = {};
      if (mod != null) {
        for (var k in mod) if (k !== "default" && Object.prototype.hasOwnProperty.call(mod, k)) __createBinding(result, mod, k);
      }
      __setModuleDefault(result, mod);
      return result;
    };
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.prepareKeyValueMessage = exports.issueFileCommand = void 0;
    var crypto = __importStar(__require("crypto"));
    var fs = __importStar(__require("fs"));
    var os = __importStar(__require("os"));
    var utils_1 = require_utils();
    function issueFileCommand2(command, message) {
      const filePath = process.env[`GITHUB_${command}`];
      if (!filePath) {
        throw new Error(`Unable to find environment variable for file command ${command}`);
      }
      if (!fs.existsSync(filePath)) {
        throw new Error(`Missing file at path: ${filePath}`);
      }
      fs.appendFileSync(filePath, `${(0, utils_1.toCommandValue)(message)}${os.EOL}`, {
        encoding: "utf8"
      });
    }
    exports.issueFileCommand = issueFileCommand2;
    function prepareKeyValueMessage2(key, value) {
      const delimiter2 = `ghadelimiter_${crypto.randomUUID()}`;
      const convertedValue = (0, utils_1.toCommandValue)(value);
      if (key.includes(delimiter2)) {
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter2}"`);
      }
      if (convertedValue.includes(delimiter2)) {
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter2}"`);
      }
      return `${key}<<${delimiter2}${os.EOL}${convertedValue}${os.EOL}${delimiter2}`;
    }
    exports.prepareKeyValueMessage = prepareKeyValueMessage2;
  }
});

// src/workflow-commands.ts
var import_command = __toESM(require_command(), 1);
var import_file_command = __toESM(require_file_command(), 1);
import { appendFileSync } from "node:fs";
import { EOL } from "node:os";
import { delimiter } from "node:path";
function getInput(name, options = {}) {
  const value = process.env[`INPUT_${name.replaceAll(" ", "_").toUpperCase()}`] ?? "";
  return options.trimWhitespace === false ? value : value.trim();
}
function setSecret(secret) {
  (0, import_command.issueCommand)("add-mask", {}, secret);
}
function setOutput(name, value) {
  (0, import_file_command.issueFileCommand)("OUTPUT", (0, import_file_command.prepareKeyValueMessage)(name, value));
}
function saveState(name, value) {
  (0, import_file_command.issueFileCommand)("STATE", (0, import_file_command.prepareKeyValueMessage)(name, value));
}
function getState(name) {
  return process.env[`STATE_${name}`] ?? "";
}
function exportVariable(name, value) {
  process.env[name] = value;
  (0, import_file_command.issueFileCommand)("ENV", (0, import_file_command.prepareKeyValueMessage)(name, value));
}
function addPath(dir) {
  (0, import_file_command.issueFileCommand)("PATH", dir);
  process.env.PATH = `${dir}${delimiter}${process.env.PATH ?? ""}`;
}
function info(message) {
  process.stdout.write(`${message}${EOL}`);
}
function warning(message) {
  (0, import_command.issueCommand)("warning", {}, message);
}
function setFailed(message) {
  process.exitCode = 1;
  (0, import_command.issueCommand)("error", {}, message);
}
function appendStepSummary(markdown) {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, markdown, "utf8");
}

// src/action-state.ts
var INITIALIZED = "initialized";
var ATTESTATION_ID = "attestation_id";
function saveActionState(state) {
  saveState(INITIALIZED, String(state.initialized));
  if (state.attestationId) saveState(ATTESTATION_ID, state.attestationId);
}
function loadActionState() {
  return {
    initialized: getState(INITIALIZED) === "true",
    attestationId: getState(ATTESTATION_ID) || void 0
  };
}

// ../core/src/errors.ts
var ChainloopError = class extends Error {
  code;
  exitCode;
  graceful;
  constructor(code, message, options = {}) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = "ChainloopError";
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
    this.graceful = options.graceful ?? true;
  }
};
var UsageError = class extends ChainloopError {
  constructor(code, message, options = {}) {
    super(code, message, { ...options, exitCode: 2 });
    this.name = "UsageError";
  }
};

// src/chainloop-cli.ts
import { spawn } from "node:child_process";
import { join } from "node:path";
var SIGNING_KEY_VARIABLE = "CHAINLOOP_SIGNING_KEY";
function bundledCliPath() {
  return join(import.meta.dirname, "chainloop.cjs");
}
function cliEnvironment(settings) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("INPUT_")) env[name] = value;
  }
  if (settings.controlPlane) env.CHAINLOOP_CONTROL_PLANE_API = settings.controlPlane;
  if (settings.token) env.CHAINLOOP_TOKEN = settings.token;
  if (settings.signingKey) env[SIGNING_KEY_VARIABLE] = settings.signingKey;
  if (settings.signingKeyPassword !== void 0) env.CHAINLOOP_SIGNING_PASSWORD = settings.signingKeyPassword;
  return env;
}
function quoteForLog(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg);
}
function runChainloop(args, settings, options = {}) {
  info(`[command]chainloop ${args.map(quoteForLog).join(" ")}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundledCliPath(), ...args], {
      env: cliEnvironment(settings),
      stdio: ["ignore", "pipe", "pipe"]
    });
    let stdout = "";
    let stderr = "";
    let partialLine = "";
    const echoLine = (line) => {
      if (options.echoStderr === false) return;
      if (line.startsWith("WRN ")) warning(line.slice(4));
      else process.stdout.write(`${line}
`);
    };
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk;
      if (options.echoStdout) process.stdout.write(chunk);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
      const lines = (partialLine + chunk).split("\n");
      partialLine = lines.pop() ?? "";
      for (const line of lines) echoLine(line);
    });
    child.on(
      "error",
      (error) => reject(new ChainloopError("CLI_NOT_STARTED", `cannot run ${bundledCliPath()}: ${error.message}`))
    );
    child.on("close", (status) => {
      if (partialLine !== "") echoLine(partialLine);
      if (status === 0) return resolve(stdout);
      const errorLine = stderr.split("\n").reverse().find((line) => line.startsWith("ERR "));
      const reason = errorLine ? errorLine.slice(4) : `exited with ${status}`;
      reject(new ChainloopError("CLI_FAILED", `chainloop ${args.slice(0, 2).join(" ")}: ${reason}`));
    });
  });
}

// src/inputs.ts
function optionalInput(name, options = {}) {
  return getInput(name, options) || void 0;
}
function booleanInput(name) {
  const value = getInput(name);
  if (value === "" || /^false$/i.test(value)) return false;
  if (/^true$/i.test(value)) return true;
  throw new UsageError("INPUT_NOT_BOOLEAN", `input "${name}": "${value}" is not a boolean; use true or false`);
}
function readInputs() {
  const token = optionalInput("token");
  const signingKey = optionalInput("signing-key");
  const signingKeyPassword = optionalInput("signing-key-password", { trimWhitespace: false });
  maskSecrets([token, signingKey, signingKeyPassword]);
  const contractRevision = optionalInput("contract-revision");
  if (contractRevision !== void 0 && !/^[1-9]\d*$/.test(contractRevision)) {
    throw new UsageError(
      "INPUT_CONTRACT_REVISION_INVALID",
      `input "contract-revision": "${contractRevision}" is not a revision number; use 1, 2, \u2026 or leave it empty for the latest`
    );
  }
  if (signingKey !== void 0 && !signingKey.startsWith("-----BEGIN ")) {
    throw new UsageError(
      "INPUT_SIGNING_KEY_NOT_PEM",
      'input "signing-key": not a PEM private key; fill it from a secret holding the text of cosign.key'
    );
  }
  return {
    controlPlane: optionalInput("control-plane"),
    token,
    contractRevision,
    dryRun: booleanInput("dry-run"),
    remoteState: booleanInput("remote-state"),
    materials: optionalInput("materials"),
    reports: parseReportPatterns(getInput("reports")),
    signingKey,
    signingKeyPassword,
    jobStatus: optionalInput("job-status")
  };
}
function parseReportPatterns(text) {
  const patterns = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim().startsWith("#")) continue;
    let depth = 0;
    let current = "";
    for (const char of line) {
      if (char === "{") depth++;
      else if (char === "}" && depth > 0) depth--;
      if (char === "," && depth === 0) {
        patterns.push(current);
        current = "";
      } else current += char;
    }
    patterns.push(current);
  }
  return patterns.map((pattern) => pattern.trim()).filter((pattern) => pattern !== "");
}
function maskSecrets(secrets) {
  for (const secret of secrets) {
    if (!secret) continue;
    setSecret(secret);
    const lines = secret.split(/\r?\n/).map((line) => line.trim());
    if (lines.length < 2) continue;
    for (const line of lines) if (line.length >= 8 && !line.startsWith("-----")) setSecret(line);
  }
}
function controlPlaneUrl(inputs) {
  const url = inputs.controlPlane ?? (process.env.CHAINLOOP_CONTROL_PLANE_API || void 0);
  if (!url) {
    throw new UsageError(
      "INPUT_CONTROL_PLANE_MISSING",
      'input "control-plane" is empty and CHAINLOOP_CONTROL_PLANE_API is not set: give the URL of your Chainloop control plane'
    );
  }
  return url;
}

export {
  setOutput,
  exportVariable,
  addPath,
  info,
  setFailed,
  appendStepSummary,
  saveActionState,
  loadActionState,
  ChainloopError,
  UsageError,
  SIGNING_KEY_VARIABLE,
  bundledCliPath,
  runChainloop,
  readInputs,
  controlPlaneUrl
};
