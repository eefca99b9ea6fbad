// `npm start`: set-up (idempotent), then JupyterLab on 127.0.0.1 with the course open: the
// student version in exercises/ (written on first start; a student's work there is never
// overwritten), or with `--solutions` the source notebooks in notebooks/, answers included.
// Uses the user's own JupyterLab ≥ 4 if there is one on PATH, else the bundled front end served
// by Debian's jupyter-server. Ctrl-C stops the server and its kernels.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { releaseMissing } from "./grading/release.mjs";
import { checkToken, isRoot, serverLaunch, terminalsWanted } from "./server.mjs";
import { ROOT, findSystemJupyterLab, setup } from "./setup.mjs";

const unknown = process.argv.slice(2).filter((a) => a !== "--solutions");
if (unknown.length) {
  console.error(`[seqlab] npm start: unknown argument ${JSON.stringify(unknown[0])}; expected nothing, or --solutions to open the notebooks with their answers`);
  process.exit(2);
}
const solutions = process.argv.includes("--solutions");
let token;
let terminals;
try {
  token = process.env.SEQLAB_TOKEN === undefined ? randomBytes(24).toString("hex") : checkToken(process.env.SEQLAB_TOKEN);
  terminals = terminalsWanted();
} catch (e) {
  console.error(`[seqlab] npm start: ${e.message}`);
  process.exit(2);
}
const { python } = setup();
const port = Number(process.env.SEQLAB_PORT ?? 8888);
let root = join(ROOT, "notebooks");
if (!solutions) {
  const exercises = join(ROOT, "exercises");
  const added = releaseMissing(root, exercises);
  if (added.length) console.log(`[seqlab] wrote the student version of ${added.filter((f) => f.endsWith(".ipynb")).length} notebooks into exercises/ (your work there is kept; the answers are in notebooks/: npm start -- --solutions)`);
  root = exercises;
}

const systemLab = findSystemJupyterLab();
const { command, args, env } = serverLaunch({ python, port, root, token, terminals, systemLab: Boolean(systemLab) });
console.log(`[seqlab] starting ${systemLab ? `your JupyterLab ${systemLab}` : "seqlab's JupyterLab front end"} …`);
if (isRoot()) console.log(`[seqlab] running as root, so Jupyter is started with --allow-root; terminals are ${terminals ? "ON (SEQLAB_TERMINALS=1): anyone with the token has a root shell" : "off"}`);

// The server gets its own process group: Ctrl-C reaches only this script, which then stops the
// server with SIGTERM, the signal on which Jupyter shuts its kernels down cleanly (an interrupted
// server leaves its kernels running).
const server = spawn(command, args, { cwd: root, env, stdio: ["ignore", "inherit", "pipe"], detached: true });
let announced = false;
server.stderr.on("data", (chunk) => {
  const text = chunk.toString();
  // The server's own log is noisy; show errors and our one line with the URL.
  for (const line of text.split("\n")) {
    if (/ERROR|Traceback|Error:/.test(line)) process.stderr.write(`${line}\n`);
    if (!announced && /is running at|Jupyter Server .* is running/.test(line)) {
      announced = true;
      console.log(`\n  seqlab is ready:  http://127.0.0.1:${port}/lab/tree/01-feedforward-limits.ipynb?token=${token}\n\n  Press Ctrl-C to stop.\n`);
    }
  }
});

const stop = () => {
  if (server.exitCode === null) server.kill("SIGTERM");
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, stop);
server.on("exit", (code, signal) => {
  console.log(`[seqlab] server stopped${code ? ` (exit ${code})` : signal ? ` (${signal})` : ""}`);
  process.exit(code ?? 0);
});
