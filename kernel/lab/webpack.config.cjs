// Builds seqlab's JupyterLab front end (served by Debian's jupyter-server): see front-end.webpack.cjs.
const path = require('path');
const { frontEnd } = require('./front-end.webpack.cjs');

const production = process.env.SEQLAB_LAB_PRODUCTION === '1';

module.exports = frontEnd({
  dir: __dirname,
  mainJs: path.resolve(__dirname, 'src/main.js'),
  production,
  devtool: production ? false : 'source-map',
});
