// Preload for Sentry Spotlight 4.11.8, loaded by start.sh with
//   node --import ./shim.mjs <install>/node_modules/@spotlightjs/spotlight/dist/run.js server
// It patches the running process only; no installed file is modified.
//
// 1. No telemetry leaves the machine. Spotlight reports its own usage to
//    sentry.io through @sentry/node (hard-coded DSN, no opt-out). That SDK
//    honours http(s)_proxy, so both point at the closed loopback port 9 and
//    the reports fail at once. no_proxy is removed rather than emptied: an
//    empty entry would exempt every host from the proxy.
// 2. Loopback only. Spotlight has no --host option and would listen on all
//    interfaces; servers that do not name a host listen on 127.0.0.1 instead.
// 3. sentry-go sends "exception" (and "threads") as a bare list, which the
//    Sentry protocol allows, but Spotlight only reads {"values": [...]} and
//    answers HTTP 500 "values is not iterable". The parsed envelope is
//    rewritten to the {"values": [...]} form before Spotlight uses it.
import net from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";

// 1. Telemetry: set before Spotlight's own modules load and read them.
for (const name of ["no_proxy", "NO_PROXY", "SENTRY_SPOTLIGHT"]) {
  delete process.env[name];
}
for (const name of ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"]) {
  process.env[name] = "http://127.0.0.1:9";
}

// 2. Loopback only.
const LOOPBACK = "127.0.0.1";
const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first] = args;
  const isPort = typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first));
  if (isPort) {
    // listen(port[, host][, backlog][, callback])
    if (typeof args[1] === "string") {
      // a host was named: keep it
    } else if (args.length > 1 && args[1] == null) {
      args[1] = LOOPBACK;
    } else {
      args.splice(1, 0, LOOPBACK);
    }
  } else if (first && typeof first === "object" && first.host == null &&
             first.path == null && first.fd == null && first.handle == null &&
             !(first instanceof net.Server) && !(first instanceof net.Socket)) {
    // listen(options[, callback])
    args[0] = { ...first, host: LOOPBACK };
  }
  return originalListen.apply(this, args);
};

// 3. Exception lists. start.sh passes the install folder in SPOTLIGHT_INSTALL_DIR.
const installDir = process.env.SPOTLIGHT_INSTALL_DIR;
if (!installDir) {
  throw new Error("shim.mjs: SPOTLIGHT_INSTALL_DIR is not set");
}
const containerFile = path.join(installDir, "node_modules", "@spotlightjs", "spotlight",
  "dist", "server", "utils", "eventContainer.js");
const { EventContainer } = await import(pathToFileURL(containerFile).href);
if (typeof EventContainer?.prototype?.getParsedEnvelope !== "function") {
  throw new Error(`shim.mjs: ${containerFile} has no EventContainer.getParsedEnvelope; Spotlight changed`);
}

const normalized = new WeakSet();
const originalGetParsedEnvelope = EventContainer.prototype.getParsedEnvelope;
EventContainer.prototype.getParsedEnvelope = function getNormalizedEnvelope() {
  const parsed = originalGetParsedEnvelope.call(this);
  if (parsed && typeof parsed === "object" && !normalized.has(parsed)) {
    normalized.add(parsed);
    const items = Array.isArray(parsed.envelope?.[1]) ? parsed.envelope[1] : [];
    for (const item of items) {
      const payload = Array.isArray(item) ? item[1] : undefined;
      if (payload === null || typeof payload !== "object") continue;
      for (const key of ["exception", "threads"]) {
        if (Array.isArray(payload[key])) payload[key] = { values: payload[key] };
      }
    }
  }
  return parsed;
};
