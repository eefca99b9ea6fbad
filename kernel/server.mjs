// How every Jupyter server of seqlab's is started (npm start, the browser tests, the browser
// bench): one place for what keeps it private.
//   - The token goes through the environment (JUPYTER_TOKEN), never the command line, which
//     every local user can read in `ps` and /proc/<pid>/cmdline.
//   - An empty token is refused: jupyter-server would take it as "no authentication".
//   - Terminals are off unless SEQLAB_TERMINALS=1: with the token comes a shell, a root shell
//     when the server runs as root.
//   - --allow-root only when running as root, which Jupyter otherwise refuses.
import { join } from "node:path";
import { ROOT, jupyterEnv } from "./setup.mjs";

export const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** Reads SEQLAB_TERMINALS: unset or "0" → off, "1" → on; anything else is an error naming both. */
export function terminalsWanted(value = process.env.SEQLAB_TERMINALS) {
  if (value === undefined || value === "" || value === "0") return false;
  if (value === "1") return true;
  throw new Error(`SEQLAB_TERMINALS must be 1 (terminals on) or 0 (off, the default), got ${JSON.stringify(value)}`);
}

/** Checks a token given by the user: a non-empty string without spaces. */
export function checkToken(token) {
  if (typeof token !== "string" || token.trim() === "") throw new Error("SEQLAB_TOKEN is empty: an empty token would switch authentication off; unset it for a random token, or give one");
  if (/\s/.test(token)) throw new Error("SEQLAB_TOKEN must not contain spaces");
  return token;
}

/**
 * The arguments and environment of a Jupyter server on 127.0.0.1:`port` serving `root`.
 * `lab` is the command prefix: seqlab's own front end (default) or a user's `jupyter lab`.
 */
export function serverLaunch({ python, port, root, token, terminals = terminalsWanted(), systemLab = false, extraEnv = {} }) {
  const args = [
    "--no-browser",
    "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${port}`,
    "--ServerApp.port_retries=0",
    `--ServerApp.root_dir=${root}`,
    `--ServerApp.terminals_enabled=${terminals ? "True" : "False"}`,
    "--MappingKernelManager.default_kernel_name=tslab",
    ...(isRoot() ? ["--allow-root"] : []),
  ];
  const env = jupyterEnv({ JUPYTER_TOKEN: checkToken(token), ...extraEnv });
  return systemLab
    ? { command: "jupyter", args: ["lab", ...args], env }
    : { command: python, args: [join(ROOT, "kernel", "lab", "server.py"), ...args], env };
}
