/**
 * Installs the Python peer of the benchmark from Debian, only what is missing (idempotent):
 *   python3-torch          PyTorch 1.13 for /usr/bin/python3
 *   libopenblas0(-pthread) OpenBLAS as the libblas.so.3 that Debian's libtorch links against
 *                          (the peer runs one thread, so the threading variant does not matter)
 * Nothing comes from pip. The TensorFlow.js peer needs nothing here: it is a devDependency.
 * Then it checks that the libblas.so.3 alternative really is OpenBLAS, since PyTorch's matrix
 * products go through it and the bench selects OpenBLAS kernels by OPENBLAS_CORETYPE.
 *
 *   node bench/install-peers.mjs      exit 0 when the peer is ready, 1 otherwise
 */
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const PACKAGES = ["python3-torch", "libopenblas0", "libopenblas0-pthread"];

function installed(pkg) {
  const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() === "install ok installed";
}

function aptInstall(pkgs) {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Recommends would pull a compiler toolchain and libtorch-dev, which the bench never uses.
  const args = ["install", "-y", "--no-install-recommends", ...pkgs];
  if (spawnSync("apt-get", args, { stdio: "inherit", env }).status === 0) return true;
  // Usually a stale or empty package index ("Unable to locate package"): refresh it once.
  if (spawnSync("apt-get", ["update"], { stdio: "inherit", env }).status !== 0) return false;
  return spawnSync("apt-get", args, { stdio: "inherit", env }).status === 0;
}

/** The libblas.so.3 alternative (named per multiarch triplet) and the path it points to, or null. */
function blasAlternative() {
  const r = spawnSync("update-alternatives", ["--get-selections"], { encoding: "utf8" });
  const line = (r.stdout ?? "").split("\n").find((l) => /^libblas\.so\.3\S*\s/.test(l));
  if (!line) return null;
  const [name, , path] = line.trim().split(/\s+/); // "name  auto|manual  path"
  return { name, path };
}

/** Returns null when ready, else a message saying what is wrong. */
export function installPeers({ log = console.error } = {}) {
  const missing = PACKAGES.filter((p) => !installed(p));
  if (missing.length) {
    if (process.getuid?.() !== 0) {
      log("install-peers: missing Debian packages; run as root:");
      log(`sudo apt-get install -y --no-install-recommends ${missing.join(" ")}`);
      return `missing packages: ${missing.join(" ")}`;
    }
    log(`install-peers: apt-get install ${missing.join(" ")}`);
    if (!aptInstall(missing)) return `apt-get install ${missing.join(" ")} failed`;
  }
  const blas = blasAlternative();
  if (!blas) return "no libblas.so.3 alternative is registered (is libopenblas0 installed?)";
  if (!/openblas/i.test(blas.path)) {
    return `${blas.name} points to ${blas.path}, not OpenBLAS; choose it with: sudo update-alternatives --config ${blas.name}`;
  }
  return null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problem = installPeers();
  if (problem) {
    console.error(`install-peers: ${problem}`);
    process.exit(1);
  }
  const torch = execFileSync("dpkg-query", ["-W", "-f=${Version}", "python3-torch"], { encoding: "utf8" });
  console.error(`install-peers: ready (python3-torch ${torch}, ${blasAlternative().name} → ${blasAlternative().path})`);
}
