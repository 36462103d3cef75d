/* Task page: the step's form (form-js) and the process diagram (bpmn-js viewer).
   The server validates again; its messages come back in the payload and are shown on the fields. */
(function () {
  'use strict';

  var payload = JSON.parse(document.getElementById('task-payload').textContent);

  /* Server errors are keyed by field key; form-js keys its errors by component id. */
  function errorsById(schema, errors) {
    var byId = {};
    (function walk(components) {
      (components || []).forEach(function (component) {
        if (component.key && errors[component.key]) {
          byId[component.id] = errors[component.key];
        }
        walk(component.components);
      });
    })(schema.components);
    return byId;
  }

  /* form-js checks in English; say it in the page's language, in the server's words. */
  var MESSAGES = [
    [/^Field is required\.$/, function () { return ['Trường này là bắt buộc.', 'Required.']; }],
    [/^Field must match pattern /, function () { return ['Không đúng định dạng.', 'Does not match the required format.']; }],
    [/^Field must have minimum length of (\d+)\.$/, function (m) { return ['Tối thiểu ' + m[1] + ' ký tự.', 'At least ' + m[1] + ' characters.']; }],
    [/^Field must have maximum length of (\d+)\.$/, function (m) { return ['Tối đa ' + m[1] + ' ký tự.', 'At most ' + m[1] + ' characters.']; }],
    [/^Field must have minimum value of (.+)\.$/, function (m) { return ['Không được nhỏ hơn ' + m[1] + '.', 'Minimum ' + m[1] + '.']; }],
    [/^Field must have maximum value of (.+)\.$/, function (m) { return ['Không được lớn hơn ' + m[1] + '.', 'Maximum ' + m[1] + '.']; }],
    [/^Field must be a valid email\.$/, function () { return ['Thư điện tử không hợp lệ.', 'Not a valid email.']; }]
  ];
  var ENGLISH_PAGE = document.documentElement.getAttribute('lang') === 'en';

  function say(message) {
    for (var i = 0; i < MESSAGES.length; i++) {
      var match = MESSAGES[i][0].exec(message);
      if (match) { return MESSAGES[i][1](match)[ENGLISH_PAGE ? 1 : 0]; }
    }
    return message;
  }

  function localiseValidator(form) {
    var validator = form.get('validator');
    var check = validator.validateFieldInstance.bind(validator);
    validator.validateFieldInstance = function (instance, value) {
      return check(instance, value).map(say);
    };
  }

  function focusFirstError(container) {
    var invalid = container.querySelector('.fjs-has-errors input, .fjs-has-errors textarea, .fjs-has-errors select');
    if (invalid) { invalid.focus(); }
  }

  function startForm() {
    var container = document.getElementById('task-form');
    var completeForm = document.getElementById('complete-form');
    if (!container || !payload.schema || !window.FormViewer) {
      return;
    }
    var form = new window.FormViewer.Form({ container: container });
    form.on('changed', function () { localiseCalendars(container); });
    localiseValidator(form);
    form.importSchema(payload.schema, payload.data || {}).then(function () {
      if (payload.readonly) {
        form.setProperty('readOnly', true);
      }
      /* after form-js has checked the imported values itself, show the server's verdict */
      window.setTimeout(function () {
        localiseCalendars(container);
        var serverErrors = errorsById(payload.schema, payload.errors || {});
        if (Object.keys(serverErrors).length) {
          form._setState({ errors: serverErrors });
          focusFirstError(container);
        }
        container.setAttribute('data-ready', 'true');
      }, 0);
    });
    if (!completeForm) {
      return;
    }
    completeForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var result = form.submit();
      if (Object.keys(result.errors || {}).length) {
        focusFirstError(container);
        return;
      }
      document.getElementById('form-data').value = JSON.stringify(result.data);
      HTMLFormElement.prototype.submit.call(completeForm);
    });
  }

  function startDiagram() {
    var canvasElement = document.getElementById('diagram');
    if (!canvasElement || !window.BpmnJS || !payload.diagram_url) {
      return;
    }
    var viewer = new window.BpmnJS({ container: canvasElement });
    fetch(payload.diagram_url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (!response.ok) { throw new Error('diagram ' + response.status); }
        return response.json();
      })
      .then(function (diagram) {
        return viewer.importXML(diagram.bpmn_xml).then(function () {
          var canvas = viewer.get('canvas');
          var registry = viewer.get('elementRegistry');
          canvas.zoom('fit-viewport');
          diagram.completed_elements.forEach(function (id) {
            if (registry.get(id) && diagram.open_elements.indexOf(id) < 0) { canvas.addMarker(id, 'done-step'); }
          });
          diagram.open_elements.forEach(function (id) {
            if (registry.get(id)) { canvas.addMarker(id, 'current-step'); }
          });
          // a lane is named by its role's id in the diagram: show the role as people call it
          var graphics = viewer.get('graphicsFactory');
          registry.filter(function (element) { return element.type === 'bpmn:Lane'; })
            .forEach(function (lane) {
              var label = (payload.lane_labels || {})[lane.businessObject.name];
              if (label) {
                lane.businessObject.name = label;
                graphics.update('shape', lane, registry.getGraphics(lane));
              }
            });
          canvasElement.setAttribute('data-ready', 'true');
        });
      })
      .catch(function (error) {
        canvasElement.textContent = String(error);
      });
  }

  /* form-js's date picker (flatpickr) speaks English and starts weeks on Sunday; on a
     Vietnamese page it speaks Vietnamese and starts them on Monday, as calendars here do. */
  var VIETNAMESE_CALENDAR = {
    firstDayOfWeek: 1,
    weekdays: {
      shorthand: ['CN', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7'],
      longhand: ['Chủ nhật', 'Thứ hai', 'Thứ ba', 'Thứ tư', 'Thứ năm', 'Thứ sáu', 'Thứ bảy']
    },
    months: {
      shorthand: ['Th1', 'Th2', 'Th3', 'Th4', 'Th5', 'Th6', 'Th7', 'Th8', 'Th9', 'Th10', 'Th11', 'Th12'],
      longhand: ['Tháng 1', 'Tháng 2', 'Tháng 3', 'Tháng 4', 'Tháng 5', 'Tháng 6', 'Tháng 7',
        'Tháng 8', 'Tháng 9', 'Tháng 10', 'Tháng 11', 'Tháng 12']
    },
    rangeSeparator: ' đến ',
    weekAbbreviation: 'Tuần',
    scrollTitle: 'Cuộn để thay đổi',
    toggleTitle: 'Bấm để chuyển'
  };

  function localiseCalendars(container) {
    var english = document.documentElement.getAttribute('lang') === 'en';
    container.querySelectorAll('input').forEach(function (input) {
      var picker = input._flatpickr;
      if (!picker || picker._motCuaLocalised) { return; }
      picker._motCuaLocalised = true;
      if (english) {
        picker.set('locale', { firstDayOfWeek: 1 });
      } else {
        picker.set('locale', VIETNAMESE_CALENDAR);
      }
    });
  }

  startForm();
  startDiagram();
})();
