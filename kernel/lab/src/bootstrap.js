// Entry point of both front ends (seqlab's JupyterLab, kernel/lab, and the JupyterLite site,
// kernel/site). Federated extensions must join the shared-module scope BEFORE any JupyterLab
// module is imported, so this file loads them first and only then imports the front end's own
// main.js (`seqlab-front-end-main`, an alias each webpack config points at its main.js).
import { PageConfig } from './page-config.js';

// Chunks are served from the static URL the server puts in the page config.
// eslint-disable-next-line no-undef
__webpack_public_path__ = PageConfig.getOption('fullStaticUrl') + '/';

function loadScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.onerror = () => reject(new Error(`could not load ${url}`));
    script.onload = resolve;
    script.async = true;
    script.src = url;
    document.head.appendChild(script);
  });
}

async function joinShareScope(extension) {
  await loadScript(`${PageConfig.getOption('fullLabextensionsUrl')}/${extension.name}/${extension.load}`);
  // eslint-disable-next-line no-undef
  await __webpack_init_sharing__('default');
  const container = window._JUPYTERLAB[extension.name];
  // eslint-disable-next-line no-undef
  await container.init(__webpack_share_scopes__.default);
}

void (async () => {
  const federated = PageConfig.getOption('federated_extensions') || [];
  const results = await Promise.allSettled(federated.map(joinShareScope));
  for (const r of results) if (r.status === 'rejected') console.error(r.reason);
  const { main } = await import('seqlab-front-end-main');
  await main(federated);
})();
