// Conveniences only: the page works without this script (passkeys need it, and stay hidden without it).
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

  // The proof of work the email step asks for after many attempts: find a counter so that
  // SHA-256(challenge ":" counter) starts with `difficulty` zero bits, in batches so the page stays responsive,
  // then submit by itself. Nothing to click: it works with a keyboard, a screen reader (the status is live) or
  // nothing at all.
  var powForm = document.querySelector("form[data-pow-challenge]");
  if (powForm && window.crypto && window.crypto.subtle && window.TextEncoder) {
    var challenge = powForm.getAttribute("data-pow-challenge");
    var difficulty = parseInt(powForm.getAttribute("data-pow-difficulty"), 10);
    var encoder = new TextEncoder();
    var zeroBits = function (bytes) {
      var bits = 0;
      for (var i = 0; i < bytes.length; i++) {
        if (bytes[i] === 0) {
          bits += 8;
          continue;
        }
        return bits + Math.clz32(bytes[i]) - 24;
      }
      return bits;
    };
    var search = function (start) {
      var batch = [];
      for (var n = start; n < start + 256; n++) {
        batch.push(window.crypto.subtle.digest("SHA-256", encoder.encode(challenge + ":" + n)));
      }
      return Promise.all(batch).then(function (hashes) {
        for (var i = 0; i < hashes.length; i++) {
          if (zeroBits(new Uint8Array(hashes[i])) >= difficulty) {
            return start + i;
          }
        }
        return search(start + 256);
      });
    };
    search(0).then(function (counter) {
      powForm.querySelector('input[name="pow_counter"]').value = String(counter);
      var powStatus = document.getElementById("pow-status");
      if (powStatus) {
        powStatus.textContent = powForm.getAttribute("data-msg-pow-done");
      }
      if (powForm.querySelector('input[name="email"]').value) {
        powForm.submit();
      }
    });
  }

  // The emailed link opened on another device: wait for its approval, one small request every 2 seconds at most
  // (the next only after the previous answered), for as long as the link lives; then post the form, which signs
  // in here. Without script the person presses the form's button.
  var waiting = document.querySelector("form[data-link-wait]");
  if (waiting && window.fetch) {
    var attemptId = waiting.getAttribute("data-link-wait");
    var statusText = document.getElementById("link-status");
    var stopAt = Date.now() + 1000 * parseInt(waiting.getAttribute("data-wait-seconds") || "600", 10);
    var poll = function () {
      if (Date.now() > stopAt) {
        statusText.textContent = waiting.getAttribute("data-msg-expired");
        return;
      }
      fetch("/login/link/status?attempt=" + encodeURIComponent(attemptId), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : { status: "unknown" };
        })
        .then(function (answer) {
          if (answer.status === "approved") {
            waiting.submit();
          } else if (answer.status === "completed") {
            waiting.submit();
          } else if (answer.status === "declined") {
            statusText.textContent = waiting.getAttribute("data-msg-declined");
          } else if (answer.status === "expired") {
            statusText.textContent = waiting.getAttribute("data-msg-expired");
          } else {
            window.setTimeout(poll, 2000);
          }
        })
        .catch(function () {
          window.setTimeout(poll, 2000);
        });
    };
    window.setTimeout(poll, 2000);
  }

  // The server's JSON endpoints: the page's anti-forgery token in a header, catalog errors thrown as { server }.
  function postJsonWith(token, path, body) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", RequestVerificationToken: token },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) {
          throw { server: json };
        }
        return json;
      });
    });
  }

  function messageFor(problem, box) {
    if (problem && problem.server) {
      return problem.server.message;
    }
    var name = problem && problem.name;
    if (name === "NotAllowedError") {
      return box.getAttribute("data-msg-cancelled");
    }
    if (name === "InvalidStateError") {
      return box.getAttribute("data-msg-exists");
    }
    return box.getAttribute("data-msg-failed");
  }

  function showError(element, message) {
    element.textContent = message;
    element.hidden = false;
  }

  var hasWebAuthn = !!(window.PublicKeyCredential && navigator.credentials && navigator.credentials.create && window.fetch);

  // The forms that finish an email sign-in tell the server this browser can create a passkey: only then does
  // it offer one before going on to the app.
  if (hasWebAuthn) {
    document.querySelectorAll("form[data-finishes-signin]").forEach(function (finishing) {
      var hint = document.createElement("input");
      hint.type = "hidden";
      hint.name = "webauthn";
      hint.value = "1";
      finishing.appendChild(hint);
    });
  }

  // The passkey offer after an email sign-in: "Create a passkey" and "Not now" replace the plain "Continue"
  // where WebAuthn exists; elsewhere the page continues to the app by itself.
  var offer = document.querySelector("form[data-passkey-offer]");
  if (offer) {
    var continueButton = offer.querySelector("[data-offer-continue]");
    if (!hasWebAuthn) {
      if (offer.requestSubmit) {
        offer.requestSubmit(continueButton);
      } else {
        continueButton.click();
      }
    } else {
      var create = offer.querySelector("[data-offer-create]");
      var offerError = document.getElementById("passkey-offer-error");
      var offerToken = offer.querySelector('input[name="__RequestVerificationToken"]').value;
      var offerState = offer.querySelector('input[name="state"]').value;
      create.hidden = false;
      offer.querySelector("[data-offer-later]").hidden = false;
      continueButton.hidden = true;
      create.addEventListener("click", function () {
        var ceremony = null;
        create.disabled = true;
        offerError.hidden = true;
        postJsonWith(offerToken, "/login/passkey/offer/options", { state: offerState }).then(function (challenge) {
          ceremony = challenge.ceremony;
          return navigator.credentials.create({ publicKey: webauthn.creationOptions(challenge.options) });
        }).then(function (credential) {
          return postJsonWith(offerToken, "/login/passkey/offer/register", { ceremony: ceremony, credential: webauthn.toJson(credential), state: offerState });
        }).then(function (done) {
          window.location.assign(done.redirectUrl);
        }).catch(function (problem) {
          create.disabled = false;
          showError(offerError, messageFor(problem, offer));
        });
      });
    }
  }

  function passkeys() {
    var token = document.querySelector('input[name="__RequestVerificationToken"]');
    var request = document.querySelector('input[name="request"]');
    if (!token || !request) {
      return;
    }

    document.querySelectorAll("[data-passkey]").forEach(function (element) {
      element.hidden = false;
    });

    function postJson(path, body) {
      return postJsonWith(token.value, path, body);
    }

    // Sign-in: the button, and passkey autofill on the email field (conditional mediation).
    var signInBox = document.querySelector("[data-passkey-signin]");
    if (signInBox) {
      var button = document.getElementById("passkey-signin");
      var error = document.getElementById("passkey-error");
      var autofill = null;

      var signIn = function (conditional) {
        return postJson("/login/passkey/options", { request: request.value }).then(function (challenge) {
          var options = { publicKey: webauthn.requestOptions(challenge.options) };
          if (conditional) {
            autofill = new AbortController();
            options.mediation = "conditional";
            options.signal = autofill.signal;
          }
          return navigator.credentials.get(options).then(function (credential) {
            return postJson("/login/passkey/verify", { ceremony: challenge.ceremony, credential: webauthn.toJson(credential) });
          });
        }).then(function (done) {
          window.location.assign(done.redirectUrl);
        });
      };

      button.addEventListener("click", function () {
        if (autofill) {
          autofill.abort();
          autofill = null;
        }
        button.disabled = true;
        error.hidden = true;
        signIn(false).catch(function (problem) {
          button.disabled = false;
          showError(error, messageFor(problem, signInBox));
        });
      });

      if (document.getElementById("email") && PublicKeyCredential.isConditionalMediationAvailable) {
        PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
          if (available) {
            return signIn(true);
          }
        }).catch(function (problem) {
          // Aborted for the button, or dismissed: only a real answer from the server is worth showing.
          if (problem && problem.server) {
            showError(error, problem.server.message);
          }
        });
      }
    }

    // Registration: the code is checked first (once), then the browser creates the passkey; retrying after a
    // cancelled dialog reuses the pending ceremony.
    var form = document.querySelector("form[data-passkey-register]");
    if (form) {
      var pending = null;
      var submit = form.querySelector('button[type="submit"]');
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        submit.disabled = true;
        var ready = pending
          ? Promise.resolve(pending)
          : postJson("/login/passkey/register/options", { attempt: form.querySelector('input[name="attempt"]').value, code: code.value });
        ready.then(function (challenge) {
          pending = challenge;
          code.readOnly = true;
          code.removeAttribute("aria-invalid");
          return navigator.credentials.create({ publicKey: webauthn.creationOptions(challenge.options) });
        }).then(function (credential) {
          return postJson("/login/passkey/register", { ceremony: pending.ceremony, credential: webauthn.toJson(credential) });
        }).then(function (done) {
          window.location.assign(done.redirectUrl);
        }).catch(function (problem) {
          submit.disabled = false;
          if (problem && problem.server && pending) {
            // The ceremony is spent: only a new code can start another one.
            pending = null;
          }
          if (!pending) {
            code.readOnly = false;
            code.setAttribute("aria-invalid", "true");
          }
          var formError = document.getElementById("form-error");
          if (!formError) {
            formError = document.createElement("p");
            formError.className = "error";
            formError.id = "form-error";
            formError.setAttribute("role", "alert");
            code.insertAdjacentElement("afterend", formError);
            code.setAttribute("aria-describedby", "form-error");
          }
          showError(formError, messageFor(problem, form));
        });
      });
    }
  }

  // WebAuthn's JSON forms (base64url) to the browser's ArrayBuffers and back, for browsers without
  // PublicKeyCredential.parse*FromJSON / toJSON.
  var webauthn = {
    requestOptions: function (json) {
      if (PublicKeyCredential.parseRequestOptionsFromJSON) {
        return PublicKeyCredential.parseRequestOptionsFromJSON(json);
      }
      var options = Object.assign({}, json, { challenge: fromBase64Url(json.challenge) });
      options.allowCredentials = (json.allowCredentials || []).map(descriptor);
      return options;
    },
    creationOptions: function (json) {
      if (PublicKeyCredential.parseCreationOptionsFromJSON) {
        return PublicKeyCredential.parseCreationOptionsFromJSON(json);
      }
      var options = Object.assign({}, json, { challenge: fromBase64Url(json.challenge) });
      options.user = Object.assign({}, json.user, { id: fromBase64Url(json.user.id) });
      options.excludeCredentials = (json.excludeCredentials || []).map(descriptor);
      return options;
    },
    toJson: function (credential) {
      if (typeof credential.toJSON === "function") {
        return credential.toJSON();
      }
      var response = credential.response;
      var json = {
        id: credential.id,
        rawId: toBase64Url(credential.rawId),
        type: credential.type,
        authenticatorAttachment: credential.authenticatorAttachment || null,
        clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
        response: { clientDataJSON: toBase64Url(response.clientDataJSON) },
      };
      if (response.attestationObject) {
        json.response.attestationObject = toBase64Url(response.attestationObject);
        json.response.transports = response.getTransports ? response.getTransports() : [];
      } else {
        json.response.authenticatorData = toBase64Url(response.authenticatorData);
        json.response.signature = toBase64Url(response.signature);
        json.response.userHandle = response.userHandle ? toBase64Url(response.userHandle) : null;
      }
      return json;
    },
  };

  function descriptor(d) {
    return Object.assign({}, d, { id: fromBase64Url(d.id) });
  }

  function fromBase64Url(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64Url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  if (window.PublicKeyCredential && navigator.credentials && window.fetch) {
    passkeys();
  }
})();
