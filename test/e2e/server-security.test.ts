/**
 * The Jupyter server as npm start launches it (kernel/server.mjs), probed as a local attacker
 * would: the token is in no process's command line, an empty token is refused, there are no
 * terminals, and the events socket wants the token and the page's own origin.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REPO, startLab, type LabServer } from "./jupyter.js";

let lab: LabServer;
beforeAll(async () => {
  lab = await startLab("security");
});
afterAll(async () => {
  await lab?.stop();
});

/** Every process's command line, as any local user can read it. */
const commandLines = (): string[] =>
  readdirSync("/proc").filter((p) => /^\d+$/.test(p)).flatMap((pid) => {
    try {
      return [readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")];
    } catch {
      return []; // gone meanwhile
    }
  });

/** The status a websocket handshake to `path` gets: 101 when the socket opens. */
function handshake(path: string, headers: Record<string, string>): Promise<number> {
  const { hostname, port } = new URL(lab.url);
  return new Promise((done, fail) => {
    const req = request({
      hostname, port, path, headers: {
        Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", ...headers,
      },
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      done(res.statusCode ?? 0);
    });
    req.on("response", (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on("error", fail);
    req.end();
  });
}

it("the token is in no process's command line, the server's or its kernel's", async () => {
  const kernel = (await (await fetch(`${lab.url}/api/kernels?token=${lab.token}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "tslab" }) })).json()) as { id: string };
  await expect.poll(() => commandLines().some((c) => c.includes(kernel.id)), { timeout: 30_000 }).toBe(true);
  expect(commandLines().some((c) => c.includes("server.py"))).toBe(true);
  expect(commandLines().filter((c) => c.includes(lab.token))).toEqual([]);
  // …and it still guards the API.
  expect((await fetch(`${lab.url}/api/kernels`)).status).toBe(403);
  expect((await fetch(`${lab.url}/api/kernels?token=${lab.token}`)).status).toBe(200);
});

it("terminals are off: their API is not there", async () => {
  expect((await fetch(`${lab.url}/api/terminals?token=${lab.token}`)).status).toBe(404);
  expect((await fetch(`${lab.url}/api/terminals?token=${lab.token}`, { method: "POST" })).status).toBe(404);
});

it("the events socket needs the token (or the login cookie), and with the cookie the page's own origin", async () => {
  const path = "/api/events/subscribe";
  expect(await handshake(path, { Origin: lab.url })).toBe(403);
  expect(await handshake(`${path}?token=wrong`, { Origin: lab.url })).toBe(403);
  expect(await handshake(`${path}?token=${lab.token}`, { Origin: lab.url })).toBe(101);
  // A page of another site in the student's browser sends the login cookie but cannot know the
  // token: jupyter-server's origin check refuses it (a request carrying the token skips that
  // check by jupyter-server's design, as for its kernel sockets).
  const login = await fetch(`${lab.url}/lab?token=${lab.token}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  expect(cookie).toMatch(/username-/);
  expect(await handshake(path, { Origin: "http://evil.example", Cookie: cookie })).toBe(403);
  expect(await handshake(path, { Origin: lab.url, Cookie: cookie })).toBe(101);
});

it("npm start refuses an empty token and an unknown SEQLAB_TERMINALS, before starting anything", () => {
  const start = (env: Record<string, string>) =>
    spawnSync(process.execPath, [join(REPO, "kernel", "start.mjs")], { cwd: REPO, env: { ...process.env, SEQLAB_PORT: "1", ...env }, encoding: "utf8", timeout: 60_000 });
  const empty = start({ SEQLAB_TOKEN: "" });
  expect(empty.status).toBe(2);
  expect(empty.stderr).toMatch(/SEQLAB_TOKEN is empty: an empty token would switch authentication off/);
  expect(empty.stdout).not.toMatch(/starting/);
  const blank = start({ SEQLAB_TOKEN: "  " });
  expect(blank.status).toBe(2);
  const terminals = start({ SEQLAB_TERMINALS: "yes" });
  expect(terminals.status).toBe(2);
  expect(terminals.stderr).toMatch(/SEQLAB_TERMINALS must be 1 \(terminals on\) or 0 \(off, the default\), got "yes"/);
});
