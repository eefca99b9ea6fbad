// The server embeds the page config as JSON in the page. This tiny reader exists because
// bootstrap.js must run before @jupyterlab/coreutils (which has the real PageConfig) is loaded.
let data = null;
export const PageConfig = {
  getOption(name) {
    if (data === null) {
      const el = document.getElementById('jupyter-config-data');
      data = el ? JSON.parse(el.textContent || '{}') : {};
    }
    return data[name] ?? '';
  },
};
