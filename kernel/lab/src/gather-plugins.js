// The plugins a front end starts with, shared by seqlab's JupyterLab (kernel/lab) and the
// JupyterLite site (kernel/site): the bundled ones and those of the federated (prebuilt)
// extensions, minus the disabled ones. A federated extension that fails to load is reported on
// the console and left out; the others still start.
import { PageConfig } from '@jupyterlab/coreutils';

async function federatedModule(scope, module) {
  const factory = await window._JUPYTERLAB[scope].get(module);
  return factory();
}

async function settled(promises) {
  return (await Promise.allSettled(promises)).flatMap((r) => {
    if (r.status === 'fulfilled') return [r.value];
    console.error(r.reason);
    return [];
  });
}

/**
 * `{ app, mime }`: the plugin lists for `new JupyterLab(...)`, once every extension's styles
 * are loaded. `bundled` holds the front end's own `{ extensions, mimeExtensions }` imports;
 * `isDisabled(id)` leaves a plugin out (the language-server plugins need a server this project
 * does not run).
 */
export async function gatherPlugins(federated, bundled, isDisabled) {
  const plugins = [];
  const mimes = [];
  const styles = [];
  for (const ext of federated) {
    if (ext.extension) plugins.push(federatedModule(ext.name, ext.extension));
    if (ext.mimeExtension) mimes.push(federatedModule(ext.name, ext.mimeExtension));
    if (ext.style && !PageConfig.Extension.isDisabled(ext.name)) styles.push(federatedModule(ext.name, ext.style));
  }
  const pluginsOf = (module) => {
    const exported = module.default ?? module;
    return (Array.isArray(exported) ? exported : [exported]).filter((p) => !isDisabled(p.id));
  };
  const mime = [...(await Promise.all(bundled.mimeExtensions)), ...(await settled(mimes))].flatMap(pluginsOf);
  const app = [...(await Promise.all(bundled.extensions)), ...(await settled(plugins))].flatMap(pluginsOf);
  await settled(styles);
  return { app, mime };
}
