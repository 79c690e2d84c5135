/*
 * ioclens setup page: which splunkd REST calls save the remote-scoring settings. Pure (no DOM, no network) so
 * the same file runs in the browser (RequireJS module, loaded by setup.js) and in the app's tests (Node).
 *
 * - the server URL, timeout and default go to ioclens.conf [remote] through configs/conf-ioclens/remote;
 * - the API key goes to storage/passwords (realm "ioclens", user "api_key"): created when absent, updated when
 *   present, left alone when the field is blank. It is never written to a .conf file;
 * - finally the app is marked configured (apps/local/ioclens configured=true).
 * Paths are relative to the app's namespace (servicesNS/nobody/ioclens/); bodies are form fields.
 */
(function (root, factory) {
  if (typeof define === 'function' && define.amd) {
    define([], factory);
  } else if (typeof module === 'object' && module.exports) {
    module.exports = factory();
  } else {
    root.ioclensSetupPlan = factory();
  }
}(this, function () {
  'use strict';

  var REALM = 'ioclens';
  var USER = 'api_key';
  var MIN_TIMEOUT = 0.1;
  var MAX_TIMEOUT = 30;

  /** Problems with the form values, one sentence each (empty when they can be saved). */
  function validate(form) {
    var problems = [];
    var url = String(form.url || '').trim();
    if (url !== '') {
      var match = /^(https?):\/\/([^\/?#@\s]+)(\/[^\s]*)?$/i.exec(url);
      if (!match) {
        problems.push('The server URL must be http:// or https:// followed by a host, without credentials or spaces');
      }
    } else if (form.enabled) {
      problems.push('Remote scoring cannot be on by default without a server URL');
    }
    var timeout = Number(String(form.timeout === undefined ? '3' : form.timeout).trim());
    if (!isFinite(timeout) || timeout < MIN_TIMEOUT || timeout > MAX_TIMEOUT) {
      problems.push('The timeout must be a number of seconds from ' + MIN_TIMEOUT + ' to ' + MAX_TIMEOUT);
    }
    var key = String(form.apiKey || '');
    if (/[\r\n]/.test(key)) {
      problems.push('The API key must be one line');
    }
    return problems;
  }

  /**
   * The REST calls for the form values: [{method, path, body}], in order. `keyExists` says whether
   * storage/passwords already holds ioclens:api_key: (the page asks splunkd when it opens).
   */
  function plan(form, keyExists) {
    var calls = [{
      method: 'POST',
      path: 'configs/conf-ioclens/remote',
      body: {
        url: String(form.url || '').trim(),
        timeout: String(Number(String(form.timeout === undefined ? '3' : form.timeout).trim())),
        enabled: form.enabled ? 'true' : 'false'
      }
    }];
    var key = String(form.apiKey || '');
    if (key.trim() !== '') {
      if (keyExists) {
        calls.push({
          method: 'POST',
          path: 'storage/passwords/' + encodeURIComponent(REALM + ':' + USER + ':'),
          body: { password: key }
        });
      } else {
        calls.push({
          method: 'POST',
          path: 'storage/passwords',
          body: { name: USER, realm: REALM, password: key }
        });
      }
    }
    calls.push({ method: 'POST', path: 'apps/local/ioclens', body: { configured: 'true' } });
    return calls;
  }

  return {
    REALM: REALM,
    USER: USER,
    PASSWORD_PATH: 'storage/passwords/' + encodeURIComponent(REALM + ':' + USER + ':'),
    CONF_PATH: 'configs/conf-ioclens/remote',
    validate: validate,
    plan: plan
  };
}));
