// memfleet's bridge to chDB (ClickHouse as an embedded engine): one persistent chDB Session on a
// data directory, driven by the JVM over stdin/stdout (io.memfleet.sql.chdb.ChDbSession).
//
//   node chdb-session.js <chdb module dir> <data dir>
//
// Protocol, one JSON object per line:
//   request   {"id": 7, "sql": "SELECT 1", "format": "TabSeparated"}
//   response  {"id": 7, "ok": true, "data": "1\n"}
//         or  {"id": 7, "ok": false, "error": "Code: 62. DB::Exception: …"}
// The first line written is the answer to the implicit request 0: the engine's version once the
// session is open (or why it could not open). Requests run one at a time, in order. A line that is
// not a request is answered with ok=false and id -1, so a framing bug shows instead of hanging.
// Anything else the engine prints goes to stderr, never to stdout, which carries only responses.
"use strict";

const readline = require("readline");

const [moduleDir, dataDir] = process.argv.slice(2);
const out = process.stdout;
const reply = (obj) => out.write(JSON.stringify(obj) + "\n");

// the engine may log to fd 1; keep console output of this process off the protocol channel
console.log = console.info = console.warn = console.error;

let session;
try {
  if (!moduleDir || !dataDir) {
    throw new Error("usage: node chdb-session.js <chdb module dir> <data dir>");
  }
  const { Session } = require(moduleDir);
  session = new Session(dataDir);
  reply({ id: 0, ok: true, data: session.query("SELECT version()", "TabSeparated").trim() });
} catch (e) {
  reply({ id: 0, ok: false, error: String(e && e.message ? e.message : e) });
  process.exit(1);
}

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on("line", (line) => {
  if (line.trim() === "") {
    return;
  }
  let request;
  try {
    request = JSON.parse(line);
  } catch (e) {
    reply({ id: -1, ok: false, error: "not a JSON request line: " + e.message });
    return;
  }
  if (typeof request.sql !== "string" || !Number.isInteger(request.id)) {
    reply({ id: -1, ok: false, error: "a request needs an integer id and a sql string" });
    return;
  }
  try {
    const data = session.query(request.sql, request.format || "TabSeparated");
    reply({ id: request.id, ok: true, data: data == null ? "" : String(data) });
  } catch (e) {
    reply({ id: request.id, ok: false, error: String(e && e.message ? e.message : e) });
  }
});
input.on("close", () => {
  // stdin closed: the JVM is done with this session
  try {
    session.close();
  } finally {
    process.exit(0);
  }
});
