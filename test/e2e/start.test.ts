/**
 * `npm start` itself: with set-up already done it starts in seconds, prints the URL with its
 * token, serves JupyterLab with the notebooks, and Ctrl-C stops the server and its kernels.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { expect, it } from "vitest";
import { REPO, stopGroup } from "./jupyter.js";

const freePort = (): Promise<number> =>
  new Promise((done) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it("npm start serves the notebooks and Ctrl-C stops the server and its kernels", async () => {
  const port = await freePort();
  const token = "start-test-token";
  const child = spawn(process.execPath, [join(REPO, "kernel", "start.mjs")], {
    cwd: REPO, env: { ...process.env, SEQLAB_PORT: String(port), SEQLAB_TOKEN: token }, detached: true, stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  try {
    await expect.poll(() => out, { timeout: 60_000, interval: 200 }).toMatch(/seqlab is ready/);
    expect(out).toContain(`http://127.0.0.1:${port}/lab/tree/01-feedforward-limits.ipynb?token=${token}`);
    const contents = await (await fetch(`http://127.0.0.1:${port}/api/contents?token=${token}`)).json() as { content: { name: string }[] };
    expect(contents.content.map((c) => c.name)).toContain("05-lstm.ipynb");
    // What it serves is the student version: answer cells hold the stub, not the solution.
    const lstm = await (await fetch(`http://127.0.0.1:${port}/api/contents/05-lstm.ipynb?token=${token}`)).json() as { path: string; content: { cells: { source: string; metadata: { nbgrader?: { solution?: boolean } } }[] } };
    const answers = lstm.content.cells.filter((c) => c.metadata.nbgrader?.solution);
    expect(answers.length).toBeGreaterThanOrEqual(3);
    for (const c of answers) expect(c.source).toMatch(/\/\/ YOUR CODE HERE/);
    expect(JSON.stringify(lstm.content)).not.toMatch(/BEGIN SOLUTION|HIDDEN TESTS/);
    expect((await import("node:fs")).existsSync(join(REPO, "exercises", "05-lstm.ipynb"))).toBe(true);
    const page = await fetch(`http://127.0.0.1:${port}/lab/tree/05-lstm.ipynb?token=${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("jupyter-config-data");
    // A running kernel, as after a student opened a notebook.
    const kernel = await (await fetch(`http://127.0.0.1:${port}/api/kernels?token=${token}`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "tslab" }),
    })).json() as { id: string };
    const connection = join(REPO, "kernel", "env", "runtime", `kernel-${kernel.id}.json`);
    await expect.poll(async () => (await import("node:fs")).existsSync(connection), { timeout: 30_000 }).toBe(true);
    const { execFileSync } = await import("node:child_process");
    const kernelPid = Number(execFileSync("pgrep", ["-f", connection], { encoding: "utf8" }).trim().split("\n")[0]);
    expect(kernelPid).toBeGreaterThan(0);

    // Ctrl-C in a terminal sends SIGINT to the foreground process group.
    process.kill(-child.pid!, "SIGINT");
    await expect.poll(() => child.exitCode, { timeout: 30_000 }).not.toBeNull();
    expect(out).toMatch(/server stopped/);
    await expect.poll(() => alive(kernelPid), { timeout: 15_000 }).toBe(false);
  } finally {
    await stopGroup(child);
  }
});
