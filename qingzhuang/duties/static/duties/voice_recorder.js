// Voice message recorder for the public request page (elderly residents who cannot type).
// Usage (no inline script needed):
//   <input type="file" name="voice" id="id_voice" accept="audio/*">
//   <div data-voice-recorder data-input="#id_voice" data-max-seconds="60"></div>
//   <script src="{% static 'duties/voice_recorder.js' %}" defer></script>
// The recording is put into the file input with DataTransfer, so the ordinary form POST
// uploads it; the server checks it with qingzhuang.duties.voice.validate_voice_upload.
// Words come from <script type="application/json" id="qz-voice-labels"> ({% voice_recorder_labels %},
// translated on the server); the Chinese fallbacks are the same text.
(function () {
  "use strict";
  var labels = {};
  var labelsEl = document.getElementById("qz-voice-labels");
  if (labelsEl) { try { labels = JSON.parse(labelsEl.textContent || "{}"); } catch (e) { labels = {}; } }
  function L(key, fallback) { return labels[key] || fallback; }
  var TYPES = [
    ["audio/webm;codecs=opus", "webm"], ["audio/webm", "webm"],
    ["audio/ogg;codecs=opus", "ogg"], ["audio/mp4", "m4a"], ["audio/aac", "m4a"]
  ];

  function pickType() {
    if (!window.MediaRecorder || !MediaRecorder.isTypeSupported) return ["", "webm"];
    for (var i = 0; i < TYPES.length; i++) {
      if (MediaRecorder.isTypeSupported(TYPES[i][0])) return TYPES[i];
    }
    return ["", "webm"];
  }
  function fmt(s) {
    s = Math.max(0, Math.floor(s));
    return Math.floor(s / 60) + ":" + (s % 60 < 10 ? "0" : "") + (s % 60);
  }
  function make(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function setup(root) {
    var input = document.querySelector(root.getAttribute("data-input") || "");
    var max = parseInt(root.getAttribute("data-max-seconds") || "60", 10) || 60;
    var status = make("p", "qz-voice-status", "");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var noMic = L("noMic", "这台手机或电脑的浏览器不能录音。请直接写文字，或者点手机键盘上的话筒用语音输入。");
    if (!input) return;
    var canRecord = !!(window.MediaRecorder && navigator.mediaDevices &&
      navigator.mediaDevices.getUserMedia && window.DataTransfer);
    if (!canRecord) {
      status.textContent = window.isSecureContext === false
        ? L("https", "录音需要用 https 地址打开本页面。请直接写文字，或者用手机键盘上的话筒语音输入。")
        : noMic;
      root.appendChild(status);
      return;
    }
    input.classList.add("qz-voice-hidden-input");
    var startBtn = make("button", "primary qz-voice-start", L("start", "开始录音"));
    var stopBtn = make("button", "danger qz-voice-stop", L("stop", "停止"));
    var clearBtn = make("button", "link qz-voice-clear", L("clear", "删除录音"));
    startBtn.type = stopBtn.type = clearBtn.type = "button";
    stopBtn.hidden = true; clearBtn.hidden = true;
    var clock = make("span", "qz-voice-clock", "0:00 / " + fmt(max));
    var audio = make("audio", "qz-voice-preview");
    audio.controls = true; audio.hidden = true;
    var bar = make("div", "qz-voice-bar");
    bar.appendChild(startBtn); bar.appendChild(stopBtn); bar.appendChild(clock); bar.appendChild(clearBtn);
    root.appendChild(bar); root.appendChild(audio); root.appendChild(status);

    var recorder = null, stream = null, chunks = [], started = 0, timer = null, url = null;
    var type = pickType();

    function release() {
      if (timer) { clearInterval(timer); timer = null; }
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    }
    function clear() {
      try { input.value = ""; } catch (e) { /* old browsers */ }
      if (url) { URL.revokeObjectURL(url); url = null; }
      audio.hidden = true; audio.removeAttribute("src");
      clearBtn.hidden = true;
      clock.textContent = "0:00 / " + fmt(max);
    }
    function finish() {
      var mime = (recorder && recorder.mimeType) || type[0] || "audio/webm";
      var blob = new Blob(chunks, { type: mime.split(";")[0] });
      var seconds = (Date.now() - started) / 1000;
      release();
      startBtn.hidden = false; stopBtn.hidden = true;
      startBtn.textContent = L("again", "重新录音");
      if (!blob.size) { status.textContent = L("silent", "没有录到声音。请检查麦克风后再试一次。"); return; }
      try {
        var dt = new DataTransfer();
        dt.items.add(new File([blob], "voice." + type[1], { type: blob.type }));
        input.files = dt.files;
      } catch (e) {
        status.textContent = L("noForm", "录好了，但这个浏览器不能把录音放进表单。请改用文字填写。");
        return;
      }
      url = URL.createObjectURL(blob);
      audio.src = url; audio.hidden = false; clearBtn.hidden = false;
      status.textContent = L("done", "录好了，共 {n} 秒。可以先点播放听一听，再提交。").replace("{n}", Math.round(seconds));
    }
    startBtn.addEventListener("click", function () {
      clear();
      status.textContent = L("opening", "正在打开麦克风……如果手机问是否允许使用麦克风，请点“允许”。");
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (s) {
        stream = s; chunks = [];
        try {
          recorder = type[0] ? new MediaRecorder(s, { mimeType: type[0] }) : new MediaRecorder(s);
        } catch (e) { release(); status.textContent = noMic; return; }
        recorder.ondataavailable = function (ev) { if (ev.data && ev.data.size) chunks.push(ev.data); };
        recorder.onstop = finish;
        recorder.start(1000);
        started = Date.now();
        startBtn.hidden = true; stopBtn.hidden = false;
        status.textContent = L("recording", "正在录音，请说话。说完点“停止”。最长 {max} 秒。").replace("{max}", max);
        timer = setInterval(function () {
          var s = (Date.now() - started) / 1000;
          clock.textContent = fmt(s) + " / " + fmt(max);
          if (s >= max && recorder && recorder.state === "recording") {
            status.textContent = L("limit", "已到 {max} 秒，自动停止。").replace("{max}", max);
            recorder.stop();
          }
        }, 250);
      }).catch(function (err) {
        release();
        status.textContent = (err && (err.name === "NotAllowedError" || err.name === "SecurityError"))
          ? L("denied", "没有得到使用麦克风的允许。请在浏览器设置里允许本网站使用麦克风，或改用文字填写。")
          : (err && err.name === "NotFoundError") ? L("notFound", "没有找到麦克风。请插上耳机麦克风，或改用文字填写。") : noMic;
      });
    });
    stopBtn.addEventListener("click", function () {
      if (recorder && recorder.state === "recording") recorder.stop();
    });
    clearBtn.addEventListener("click", function () { clear(); status.textContent = L("cleared", "录音已删除。"); startBtn.textContent = L("start", "开始录音"); });
  }

  function init() {
    var roots = document.querySelectorAll("[data-voice-recorder]");
    for (var i = 0; i < roots.length; i++) setup(roots[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
