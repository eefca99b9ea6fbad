// `npm start`: set-up (idempotent), then JupyterLab on 127.0.0.1 with the course open: the
// student version in exercises/ (written on first start; a student's work there is never
// overwritten), or with `--solutions` the source notebooks in notebooks/, answers included.
// Uses the user's own JupyterLab ≥ 4 if there is one on PATH, else the bundled front end served
// by Debian's jupyter-server. Ctrl-C stops the server and its kernels.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { releaseMissing } from "./grading/release.mjs";
import { ROOT, findSystemJupyterLab, jupyterEnv, setup } from "./setup.mjs";

const unknown = process.argv.slice(2).filter((a) => a !== "--solutions");
if (unknown.length) {
  console.error(`[seqlab] npm start: unknown argument ${JSON.stringify(unknown[0])}; expected nothing, or --solutions to open the notebooks with their answers`);
  process.exit(2);
}
const solutions = process.argv.includes("--solutions");
const { python } = setup();
const port = Number(process.env.SEQLAB_PORT ?? 8888);
const token = process.env.SEQLAB_TOKEN ?? randomBytes(24).toString("hex");
let root = join(ROOT, "notebooks");
if (!solutions) {
  const exercises = join(ROOT, "exercises");
  const added = releaseMissing(root, exercises);
  if (added.length) console.log(`[seqlab] wrote the student version of ${added.filter((f) => f.endsWith(".ipynb")).length} notebooks into exercises/ (your work there is kept; the answers are in notebooks/: npm start -- --solutions)`);
  root = exercises;
}
const common = [
  "--no-browser",
  "--ServerApp.ip=127.0.0.1",
  `--ServerApp.port=${port}`,
  `--ServerApp.token=${token}`,
  `--ServerApp.root_dir=${root}`,
  "--MappingKernelManager.default_kernel_name=tslab",
  ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
];

const systemLab = findSystemJupyterLab();
const [cmd, args] = systemLab
  ? ["jupyter", ["lab", ...common]]
  : [python, [join(ROOT, "kernel", "lab", "server.py"), ...common, "--ServerApp.port_retries=0"]];
console.log(`[seqlab] starting ${systemLab ? `your JupyterLab ${systemLab}` : "seqlab's JupyterLab front end"} …`);

// The server gets its own process group: Ctrl-C reaches only this script, which then stops the
// server with SIGTERM, the signal on which Jupyter shuts its kernels down cleanly (an interrupted
// server leaves its kernels running).
const server = spawn(cmd, args, { cwd: root, env: jupyterEnv(), stdio: ["ignore", "inherit", "pipe"], detached: true });
let announced = false;
server.stderr.on("data", (chunk) => {
  const text = chunk.toString();
  // The server's own log is noisy; show errors and our one line with the URL.
  for (const line of text.split("\n")) {
    if (/ERROR|Traceback|Error:/.test(line)) process.stderr.write(`${line}\n`);
    if (!announced && /is running at|Jupyter Server .* is running/.test(line)) {
      announced = true;
      console.log(`\n  seqlab is ready:  http://127.0.0.1:${port}/lab/tree/05-lstm.ipynb?token=${token}\n\n  Press Ctrl-C to stop.\n`);
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
