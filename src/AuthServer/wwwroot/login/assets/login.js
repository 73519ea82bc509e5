// Conveniences only: the page works without this script.
(function () {
  "use strict";
  // Embed mode: tell the framing app (and only it) how tall the page is, so it can size the iframe.
  var origin = document.body.getAttribute("data-embed-origin");
  if (origin && window.parent !== window) {
    var post = function () {
      window.parent.postMessage({ type: "authserver:height", height: document.documentElement.scrollHeight }, origin);
    };
    window.addEventListener("load", post);
    window.addEventListener("resize", post);
  }

  // Keep the code field to digits, as people paste codes with spaces.
  var code = document.getElementById("code");
  if (code) {
    code.addEventListener("input", function () {
      code.value = code.value.replace(/\D/g, "").slice(0, 5);
    });
  }
})();
