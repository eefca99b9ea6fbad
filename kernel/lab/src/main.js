// Starts JupyterLab with the bundled plugins plus the federated (prebuilt) extensions that the
// server found in JUPYTER_PATH's labextensions folders: seqlab's renderer among them.
import { JupyterLab } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import '../build/style.js';
import { extensions, mimeExtensions } from '../build/plugins.js';

// The language-server plugins need a language server this project does not run.
function pluginsOf(module) {
  const exported = module.default ?? module;
  return (Array.isArray(exported) ? exported : [exported]).filter((p) => !p.id.includes(':language-server'));
}

async function federatedModule(scope, module) {
  const factory = await window._JUPYTERLAB[scope].get(module);
  return factory();
}

export async function main(federated) {
  const isEnabled = (plugin) => !PageConfig.Extension.isDisabled(plugin.id);

  const federatedPlugins = [];
  const federatedMime = [];
  const styles = [];
  for (const ext of federated) {
    if (ext.extension) federatedPlugins.push(federatedModule(ext.name, ext.extension));
    if (ext.mimeExtension) federatedMime.push(federatedModule(ext.name, ext.mimeExtension));
    if (ext.style && !PageConfig.Extension.isDisabled(ext.name)) styles.push(federatedModule(ext.name, ext.style));
  }
  const settled = async (promises) =>
    (await Promise.allSettled(promises)).flatMap((r) => {
      if (r.status === 'fulfilled') return [r.value];
      console.error(r.reason);
      return [];
    });

  const mime = [...(await Promise.all(mimeExtensions)), ...(await settled(federatedMime))]
    .flatMap(pluginsOf)
    .filter(isEnabled);
  const lab = new JupyterLab({ mimeExtensions: mime });
  const app = [...(await Promise.all(extensions)), ...(await settled(federatedPlugins))]
    .flatMap(pluginsOf)
    .filter(isEnabled);
  lab.registerPlugins(app);
  await settled(styles);
  await lab.start();
  await lab.restored;
  document.body.dataset.seqlabLabReady = 'true';
}
