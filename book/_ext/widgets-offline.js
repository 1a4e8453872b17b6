// Lets the Jupyter widgets HTML manager run from the book's own copy, offline.
// Loaded after require.js and before embed-amd.js (see offline_assets.py).
(() => {
  var script = document.currentScript;
  var vendor = script.src.slice(0, script.src.lastIndexOf("/") + 1);

  // The widget modules live inside embed-amd.js. Each locates its fonts from
  // its own module path, so map those paths onto the book's copy: the
  // manager ("@jupyter-widgets/html-manager/dist/...") and the rest
  // ("@jupyter-widgets/base", "@jupyter-widgets/controls", ...).
  // anywidget, the front end of the book's explorers, is a module of its own.
  var dist = vendor + "html-manager/dist";
  require.config({
    paths: {
      "@jupyter-widgets": dist,
      "@jupyter-widgets/html-manager/dist": dist,
      anywidget: vendor + "anywidget/dist/index",
    },
  });
  // embed-amd.js reads this attribute from any script tag on the page.
  script.setAttribute("data-jupyter-widgets-cdn", vendor + "npm/");

  // The theme's Font Awesome would rewrite the widgets' icons (the Play
  // button among them) into SVGs that the widgets no longer control.
  window.FontAwesomeConfig = Object.assign(window.FontAwesomeConfig || {}, {
    observeMutations: false,
  });

  // ipywidgets typesets labels with the MathJax 2 API (MathJax.Hub.Queue);
  // the book runs MathJax 3. Translate the one call it makes, queued behind
  // the page's own typesetting: MathJax 3 runs one typeset at a time.
  function installHubShim() {
    var mj = window.MathJax;
    if (mj && !mj.Hub) {
      mj.Hub = {
        Queue: (job) => {
          var element = job && job[2];
          var startup = window.MathJax.startup;
          if (element && startup && startup.promise) {
            startup.promise = startup.promise.then(() =>
              window.MathJax.typesetPromise([element]),
            );
          }
        },
      };
    }
  }
  installHubShim();
  document.addEventListener("DOMContentLoaded", installHubShim);
  window.addEventListener("load", installHubShim);
})();
