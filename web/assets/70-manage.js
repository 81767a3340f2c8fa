// 70-manage.js — the check-in desk's camera: where the browser offers
// BarcodeDetector (Chromium on Android and ChromeOS, not headless CI), a
// "scan" button shows the camera, reads the badge's QR code into the code
// field and sends the form, exactly as typing it would. Without it (or
// without JavaScript) the button stays hidden and the desk is typed; CI
// cannot test the camera, so only typing is tested.
(function () {
  'use strict';
  var button = document.querySelector('.checkin-scan');
  if (!button || !('BarcodeDetector' in window) || !navigator.mediaDevices) return;
  var form = button.form;
  var field = form.querySelector('#badge_code');
  var video = form.querySelector('.checkin-video');
  var label = button.textContent;
  var stream = null;
  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
    button.textContent = label;
  }
  button.hidden = false;
  button.addEventListener('click', function () {
    if (stream) { stop(); return; }
    var detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      button.textContent = button.getAttribute('data-stop');
      video.play();
      (function look() {
        if (!stream) return;
        detector.detect(video).then(function (codes) {
          if (codes.length > 0 && codes[0].rawValue) {
            field.value = codes[0].rawValue;
            stop();
            form.submit();
          } else {
            window.requestAnimationFrame(look);
          }
        }, function () { window.requestAnimationFrame(look); });
      })();
    }, stop);
  });
})();
