/*
 * ioclens setup page (default/data/ui/views/ioclens_setup.xml): reads the current settings through splunkd,
 * then saves the form with the calls setup_plan.js lists, through the logged-in user's session (splunkjs).
 * The API key field is never filled from splunkd: a blank field keeps the stored key.
 */
require([
  'jquery',
  'splunkjs/mvc',
  '../app/ioclens/setup_plan',
  'splunkjs/mvc/simplexml/ready!'
], function ($, mvc, setupPlan) {
  'use strict';

  var service = mvc.createService({ owner: 'nobody', app: 'ioclens' });
  var keyExists = false;

  function status(text, isError) {
    $('#ioclens-status').text(text).toggleClass('ioclens-error', !!isError);
  }

  function entryContent(response) {
    var entries = (response && response.data && response.data.entry) || [];
    return entries.length ? (entries[0].content || {}) : null;
  }

  function load() {
    service.get(setupPlan.CONF_PATH, { output_mode: 'json' }, function (err, response) {
      var content = err ? null : entryContent(response);
      if (content) {
        $('#ioclens-url').val(content.url || '');
        $('#ioclens-timeout').val(content.timeout || '3');
        $('#ioclens-enabled').prop('checked', /^(1|true|t|yes|y|on)$/i.test(String(content.enabled || '')));
      }
    });
    service.get(setupPlan.PASSWORD_PATH, { output_mode: 'json' }, function (err, response) {
      keyExists = !err && entryContent(response) !== null;
      $('#ioclens-key-state').text(keyExists ? 'A key is stored; leave the field blank to keep it.' : 'No key is stored yet.');
    });
  }

  function run(calls, done) {
    if (!calls.length) {
      done(null);
      return;
    }
    var call = calls[0];
    service.post(call.path, $.extend({ output_mode: 'json' }, call.body), function (err) {
      if (err) {
        var detail = (err.data && err.data.messages && err.data.messages[0] && err.data.messages[0].text) || err.status;
        done('Saving ' + call.path.split('/')[0] + ' failed: ' + detail);
        return;
      }
      run(calls.slice(1), done);
    });
  }

  $('#ioclens-save').on('click', function (event) {
    event.preventDefault();
    var form = {
      url: $('#ioclens-url').val(),
      timeout: $('#ioclens-timeout').val(),
      enabled: $('#ioclens-enabled').is(':checked'),
      apiKey: $('#ioclens-key').val()
    };
    var problems = setupPlan.validate(form);
    if (problems.length) {
      status(problems.join('. ') + '.', true);
      return;
    }
    status('Saving…', false);
    run(setupPlan.plan(form, keyExists), function (error) {
      if (error) {
        status(error, true);
        return;
      }
      $('#ioclens-key').val('');
      keyExists = keyExists || String(form.apiKey || '').trim() !== '';
      status('Saved. Searches started from now on use these settings.', false);
    });
  });

  load();
});
