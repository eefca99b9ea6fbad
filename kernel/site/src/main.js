// Starts JupyterLab on JupyterLite's in-browser services: JupyterLab's plugins, JupyterLite's
// (contents in the browser's storage, in-browser kernels and sessions, settings from
// build/schemas), seqlab's kernel, and the federated extensions listed in jupyter-lite.json.
import { JupyterLab } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import { IServiceManager } from '@jupyterlab/services';
import { PluginRegistry } from '@lumino/coreutils';
import '../build/style.js';
import { disabled, extensions, mimeExtensions } from '../build/plugins.js';
import { seqlabKernelPlugin } from '../lib/kernel.js';

const isDisabled = (id) =>
  PageConfig.Extension.isDisabled(id) || disabled.includes(id) || id.includes(':language-server');

function pluginsOf(module) {
  const exported = module.default ?? module;
  return (Array.isArray(exported) ? exported : [exported]).filter((p) => !isDisabled(p.id));
}

async function federatedModule(scope, module) {
  const factory = await window._JUPYTERLAB[scope].get(module);
  return factory();
}

export async function main(federated) {
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

  const mime = [...(await Promise.all(mimeExtensions)), ...(await settled(federatedMime))].flatMap(pluginsOf);
  const app = [...(await Promise.all(extensions)), ...(await settled(federatedPlugins))].flatMap(pluginsOf);
  await settled(styles);

  // JupyterLite's order: the service manager is resolved from the plugins before the app exists.
  const pluginRegistry = new PluginRegistry();
  pluginRegistry.registerPlugins([...app, seqlabKernelPlugin]);
  const serviceManager = await pluginRegistry.resolveRequiredService(IServiceManager);
  const lab = new JupyterLab({ pluginRegistry, mimeExtensions: mime, serviceManager });
  lab.name = PageConfig.getOption('appName') || 'seqlab';
  // Tests and curious students reach the application here (as JupyterLite's exposeAppInBrowser).
  window.jupyterapp = lab;
  await lab.start({ bubblingKeydown: true });
  await lab.restored;
  document.body.dataset.seqlabLabReady = 'true';
}
