/**
 * Real Jupyter processes for the end-to-end tests: a fresh server per test file (the bundled
 * JupyterLab front end on Debian's jupyter-server) and notebook execution by nbclient. Every
 * process is started in its own process group and stopped by its PID, also when a test fails.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
// @ts-expect-error -- plain JavaScript module shared with npm start
import { ROOT, findPython, jupyterEnv } from "../../kernel/setup.mjs";
// @ts-expect-error -- plain JavaScript module shared with npm start
import { serverLaunch } from "../../kernel/server.mjs";

export const REPO: string = ROOT as string;
export const RESULTS = join(REPO, "test-results");

export function python(): string {
  const py = (findPython as () => string | null)();
  if (!py) throw new Error("no Python with jupyter_server/nbclient: run `npm test` (it installs them)");
  return py;
}

export function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return (jupyterEnv as (e: Record<string, string>) => NodeJS.ProcessEnv)(extra);
}

/** Stops a process group: SIGTERM (the server then shuts its kernels down), SIGKILL after 10 s. */
export async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => done(port));
    });
  });
}

export interface LabServer {
  url: string;
  token: string;
  root: string;
  pid: number;
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts the bundled JupyterLab on a free loopback port, serving a scratch copy of notebooks/
 * (plus any test notebooks named) inside the repository, so `import "seqlab"` resolves as usual
 * and autosave never touches the committed notebooks.
 */
export async function startLab(name: string, extraNotebooks: string[] = []): Promise<LabServer> {
  const root = join(RESULTS, `lab-${name}`);
  for (const dir of [root, `${root}.data`, `${root}.runtime`]) rmSync(dir, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  cpSync(join(REPO, "notebooks"), root, { recursive: true });
  for (const nb of extraNotebooks) cpSync(join(REPO, nb), join(root, nb.split("/").pop()!));
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  // Launched as npm start launches it (kernel/server.mjs): token in the environment, no terminals.
  const launch = (serverLaunch as (o: Record<string, unknown>) => { command: string; args: string[]; env: NodeJS.ProcessEnv })({
    python: python(), port, root, token, terminals: false,
    // Fresh data and runtime folders per server: no workspace or settings leak between tests.
    extraEnv: { JUPYTER_DATA_DIR: `${root}.data`, JUPYTER_RUNTIME_DIR: `${root}.runtime` },
  });
  const child = spawn(launch.command, launch.args, { cwd: root, env: launch.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const server: LabServer = { url, token, root, pid: child.pid!, log: () => output, stop: () => stopGroup(child) };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Jupyter server exited (${child.exitCode}):\n${output}`);
    try {
      const r = await fetch(`${url}/api/status?token=${token}`);
      if (r.ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((d) => setTimeout(d, 250));
  }
  await server.stop();
  throw new Error(`the Jupyter server did not answer within 60 s:\n${output}`);
}

/** A notebook cell's output as nbformat stores it. */
export interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
export interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
  metadata?: Record<string, unknown>;
}
export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
}

export const joinText = (t: string | string[] | undefined): string => (Array.isArray(t) ? t.join("") : (t ?? ""));

/**
 * Executes a notebook headless through the tslab kernel with Jupyter's own nbclient and
 * returns it with outputs. A failing cell makes the whole run fail with that cell's error.
 */
export async function executeNotebook(path: string, timeoutSeconds = 180): Promise<{ notebook: Notebook; seconds: number }> {
  const out = join(RESULTS, "executed", `${path.split("/").pop()}`);
  mkdirSync(join(RESULTS, "executed"), { recursive: true });
  const started = Date.now();
  const child = spawn(python(), [join(REPO, "test", "e2e", "run_notebook.py"), resolve(path), out, String(timeoutSeconds)], {
    cwd: REPO, env: env(), detached: true, stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const code = await new Promise<number | null>((done) => {
    const timer = setTimeout(() => void stopGroup(child), (timeoutSeconds + 60) * 1000);
    child.once("exit", (c) => {
      clearTimeout(timer);
      done(c);
    });
  });
  if (code !== 0) throw new Error(`executing ${path} failed (exit ${code}):\n${log}`);
  const { readFileSync } = await import("node:fs");
  return { notebook: JSON.parse(readFileSync(out, "utf8")) as Notebook, seconds: (Date.now() - started) / 1000 };
}
