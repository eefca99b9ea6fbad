// Starts JupyterLab with the bundled plugins plus the federated (prebuilt) extensions that the
// server found in JUPYTER_PATH's labextensions folders: seqlab's renderer among them.
import { JupyterLab } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';
import '../build/style.js';
import { extensions, mimeExtensions } from '../build/plugins.js';
import { gatherPlugins } from './gather-plugins.js';

export async function main(federated) {
  const isDisabled = (id) => PageConfig.Extension.isDisabled(id) || id.includes(':language-server');
  const { app, mime } = await gatherPlugins(federated, { extensions, mimeExtensions }, isDisabled);
  const lab = new JupyterLab({ mimeExtensions: mime });
  lab.registerPlugins(app);
  await lab.start();
  await lab.restored;
  document.body.dataset.seqlabLabReady = 'true';
}
