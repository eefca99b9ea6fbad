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
// (gather-plugins.js is kernel/lab's gathering of the plugins, shared by both front ends.)
import { gatherPlugins } from '../../lab/src/gather-plugins.js';

const isDisabled = (id) =>
  PageConfig.Extension.isDisabled(id) || disabled.includes(id) || id.includes(':language-server');

export async function main(federated) {
  const { app, mime } = await gatherPlugins(federated, { extensions, mimeExtensions }, isDisabled);

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
