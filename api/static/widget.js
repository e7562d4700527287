/* tthc widget — built from api/widget/ — inputs:3e88513397628dce */
(()=>{var H=`:host { all: initial; }
* { box-sizing: border-box; }
.root { font: 15px/1.45 system-ui, "Segoe UI", Roboto, Arial, sans-serif; color: #1d2733; }
.bubble {
  position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  width: 60px; height: 60px; border-radius: 50%; border: 0; cursor: pointer;
  background: #b3261e; color: #fff; box-shadow: 0 4px 14px rgba(0,0,0,.3);
  display: flex; align-items: center; justify-content: center;
}
.bubble svg { width: 30px; height: 30px; fill: currentColor; }
.bubble:focus-visible, button:focus-visible, input:focus-visible, a:focus-visible {
  outline: 3px solid #0b57d0; outline-offset: 2px;
}
.panel {
  position: fixed; right: 20px; bottom: 92px; z-index: 2147483001;
  width: 380px; max-width: calc(100vw - 24px); height: 600px; max-height: calc(100vh - 110px);
  display: flex; flex-direction: column; background: #fff; border-radius: 12px; overflow: hidden;
  box-shadow: 0 8px 30px rgba(0,0,0,.28);
}
.panel[hidden] { display: none; }
.header { background: #b3261e; color: #fff; padding: 10px 12px; display: flex; align-items: flex-start; gap: 8px; }
.header .titles { flex: 1; min-width: 0; }
.header h2 { margin: 0; font-size: 16px; font-weight: 600; }
.header p { margin: 2px 0 0; font-size: 12.5px; opacity: .92; }
.header button {
  background: transparent; color: #fff; border: 1px solid rgba(255,255,255,.6); border-radius: 6px;
  font: inherit; font-size: 12.5px; padding: 3px 8px; cursor: pointer; white-space: nowrap;
}
.header button:focus-visible { outline-color: #fff; }
.log { list-style: none; margin: 0; padding: 12px; flex: 1; overflow-y: auto; background: #f6f7f9; }
.msg {
  margin: 6px 0; padding: 8px 11px; border-radius: 12px; max-width: 88%; width: fit-content;
  white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word;
}
.msg--user { background: #dbe8ff; margin-left: auto; border-bottom-right-radius: 4px; }
.msg--bot { background: #fff; border: 1px solid #e2e5ea; border-bottom-left-radius: 4px; }
.msg--error { background: #fdecea; border: 1px solid #f5c2bd; color: #7a1b14; }
.msg a { color: #0b57d0; }
.choices { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; white-space: normal; }
.choices button {
  border: 1px solid #b3261e; background: #fff; color: #b3261e; border-radius: 16px;
  padding: 5px 12px; cursor: pointer; font: inherit; font-size: 14px; text-align: left;
}
.choices button:hover { background: #fbeceb; }
.choices button[aria-pressed="true"] { background: #b3261e; color: #fff; }
.typing { padding: 4px 14px 6px; color: #555; font-size: 13px; background: #f6f7f9; display: flex; align-items: center; gap: 6px; }
.typing[hidden] { display: none; }
.dots span { display: inline-block; width: 6px; height: 6px; margin: 0 1px; border-radius: 50%; background: #888; animation: blink 1.2s infinite both; }
.dots span:nth-child(2) { animation-delay: .2s; }
.dots span:nth-child(3) { animation-delay: .4s; }
@keyframes blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }
@media (prefers-reduced-motion: reduce) { .dots span { animation: none; } }
.form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #ddd; background: #fff; }
.form input { flex: 1; min-width: 0; padding: 9px 10px; font: inherit; border: 1px solid #bbb; border-radius: 8px; }
.form button { padding: 9px 14px; font: inherit; background: #b3261e; color: #fff; border: 0; border-radius: 8px; cursor: pointer; }
.form button:disabled { opacity: .6; cursor: default; }
.note { margin: 0; padding: 0 10px 8px; font-size: 11.5px; color: #666; background: #fff; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
@media (max-width: 480px) {
  .panel { right: 0; bottom: 0; width: 100vw; max-width: 100vw; height: 100%; max-height: 100%; border-radius: 0; }
  .bubble { right: 14px; bottom: 14px; }
  .root.open .bubble { display: none; }
}
`;var Y=/(https?:\/\/[^\s<>"'()]+[^\s<>"'().,;:!?])/g;function A(e,l,p){let c=String(p).split(/\*\*/);c.forEach((s,d)=>{let i=d%2===1&&d<c.length-1?e.createElement("strong"):l;i!==l&&l.appendChild(i),Z(e,i,d%2===1&&d===c.length-1?"**"+s:s)})}function Z(e,l,p){p.split(Y).forEach((s,d)=>{if(s)if(d%2===1){let i=e.createElement("a");i.href=s,i.textContent=s,i.target="_blank",i.rel="noopener noreferrer",l.appendChild(i)}else l.appendChild(e.createTextNode(s))})}var V="tthc-widget:v1",F=200,U=2e3,f=document.currentScript,G=f&&f.src?new URL(f.src,location.href).origin:location.origin,N=f&&f.dataset.title||"Tr\u1EE3 l\xFD th\u1EE7 t\u1EE5c h\xE0nh ch\xEDnh",W=!!(f&&f.dataset.open==="true");function X(){return"web-"+(window.crypto&&crypto.randomUUID?crypto.randomUUID():String(Math.random()).slice(2)+Date.now()).replace(/[^A-Za-z0-9_-]/g,"").slice(0,56)}function $(){try{let e=JSON.parse(localStorage.getItem(V));if(e&&typeof e.sender=="string"&&/^[A-Za-z0-9_-]{8,64}$/.test(e.sender)&&Array.isArray(e.history))return e}catch{}return{sender:X(),history:[],open:W}}function t(e,l,p){let c=document.createElement(e);for(let[s,d]of Object.entries(l||{}))c.setAttribute(s,d);return p!==void 0&&(c.textContent=p),c}function j(){if(document.getElementById("tthc-widget"))return;let e=$(),l=()=>{e.history=e.history.slice(-F);try{localStorage.setItem(V,JSON.stringify(e))}catch{}},p=t("div",{id:"tthc-widget"}),c=p.attachShadow({mode:"open"}),s=document.createElement("style");s.textContent=H;let d=t("div",{class:"root",lang:"vi"});c.append(s,d);let i=t("button",{class:"bubble",type:"button","aria-controls":"tthc-panel","aria-expanded":"false","aria-label":"M\u1EDF tr\xF2 chuy\u1EC7n v\u1EDBi tr\u1EE3 l\xFD th\u1EE7 t\u1EE5c h\xE0nh ch\xEDnh",title:"H\u1ECFi tr\u1EE3 l\xFD th\u1EE7 t\u1EE5c h\xE0nh ch\xEDnh"});i.innerHTML='<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2zm3 6v2h2v-2H7zm4 0v2h2v-2h-2zm4 0v2h2v-2h-2z"/></svg>';let x=t("section",{class:"panel",id:"tthc-panel",role:"dialog","aria-label":N,hidden:""}),z=t("div",{class:"header"}),L=t("div",{class:"titles"});L.append(t("h2",{},N),t("p",{},"Tr\u1EE3 l\xFD t\u1EF1 \u0111\u1ED9ng, kh\xF4ng ph\u1EA3i c\xE1n b\u1ED9"));let O=t("button",{type:"button",class:"reset",title:"B\u1EAFt \u0111\u1EA7u cu\u1ED9c tr\xF2 chuy\u1EC7n m\u1EDBi"},"Tr\xF2 chuy\u1EC7n m\u1EDBi"),R=t("button",{type:"button",class:"close","aria-label":"\u0110\xF3ng c\u1EEDa s\u1ED5 tr\xF2 chuy\u1EC7n"},"\u2715");z.append(L,O,R);let m=t("ol",{class:"log",role:"log","aria-live":"polite","aria-label":"N\u1ED9i dung tr\xF2 chuy\u1EC7n"}),w=t("div",{class:"typing",role:"status",hidden:""}),I=t("span",{class:"dots","aria-hidden":"true"});I.append(t("span"),t("span"),t("span")),w.append(I,t("span",{},"Tr\u1EE3 l\xFD \u0111ang tr\u1EA3 l\u1EDDi\u2026"));let E=t("form",{class:"form"}),J=t("label",{for:"tthc-input",class:"sr-only"},"C\xE2u h\u1ECFi c\u1EE7a b\u1EA1n"),y=t("input",{id:"tthc-input",name:"message",autocomplete:"off",maxlength:String(U),placeholder:"V\xED d\u1EE5: \u0110\u0103ng k\xFD khai sinh c\u1EA7n g\xEC?","aria-label":"C\xE2u h\u1ECFi c\u1EE7a b\u1EA1n"}),S=t("button",{type:"submit",class:"send"},"G\u1EEDi");E.append(J,y,S);let K=t("p",{class:"note"},"Th\xF4ng tin ch\u1EC9 \u0111\u1EC3 tham kh\u1EA3o; \u0111\u1EEBng g\u1EEDi s\u1ED1 \u0111\u1ECBnh danh, m\u1EADt kh\u1EA9u hay d\u1EEF li\u1EC7u c\xE1 nh\xE2n.");x.append(z,m,w,E,K),d.append(x,i),document.body.appendChild(p);let v=!1;function k(){m.scrollTop=m.scrollHeight}function M(n){let o=t("li",{class:"msg msg--"+n.who}),r=n.msg||{};n.who==="user"&&o.appendChild(t("span",{class:"sr-only"},"B\u1EA1n: ")),n.who==="bot"&&o.appendChild(t("span",{class:"sr-only"},"Tr\u1EE3 l\xFD: ")),r.text&&A(document,o,r.text),r.image&&/^https?:\/\//.test(r.image)&&A(document,o,(r.text?`
`:"")+r.image);let a=Array.isArray(r.buttons)?r.buttons:[];if(a.length){let h=t("div",{class:"choices",role:"group","aria-label":"L\u1EF1a ch\u1ECDn g\u1EE3i \xFD"});a.forEach(g=>{let D=String(g.title||g.payload||""),T=String(g.payload||g.title||""),C=t("button",{type:"button","aria-pressed":"false"},D);C.addEventListener("click",()=>{if(C.setAttribute("aria-pressed","true"),/^https?:\/\//.test(T)){window.open(T,"_blank","noopener");return}B(T,D)}),h.appendChild(C)}),o.appendChild(h)}m.appendChild(o),k()}function b(n,o,r){let a={who:n,msg:{text:o.text||"",buttons:o.buttons||[],image:o.image||""}};M(a),r&&(e.history.push(a),l())}function _(){b("bot",{text:"Xin ch\xE0o! T\xF4i l\xE0 tr\u1EE3 l\xFD t\u1EF1 \u0111\u1ED9ng h\u1ED7 tr\u1EE3 tra c\u1EE9u th\u1EE7 t\u1EE5c h\xE0nh ch\xEDnh (kh\xF4ng ph\u1EA3i c\xE1n b\u1ED9). B\u1EA1n c\u1EA7n h\u1ECFi v\u1EC1 th\u1EE7 t\u1EE5c n\xE0o? V\xED d\u1EE5: \u201C\u0110\u0103ng k\xFD khai sinh c\u1EA7n g\xEC?\u201D"},!1)}function u(n,o){e.open=n,l(),x.hidden=!n,d.classList.toggle("open",n),i.setAttribute("aria-expanded",String(n)),i.setAttribute("aria-label",n?"Thu nh\u1ECF c\u1EEDa s\u1ED5 tr\xF2 chuy\u1EC7n":"M\u1EDF tr\xF2 chuy\u1EC7n v\u1EDBi tr\u1EE3 l\xFD th\u1EE7 t\u1EE5c h\xE0nh ch\xEDnh"),n?(k(),o&&y.focus()):o&&i.focus()}async function B(n,o){if(!v){v=!0,S.disabled=!0,b("user",{text:o||n},!0),w.hidden=!1,k();try{let r=await fetch(G+"/api/chat",{method:"POST",headers:{"Content-Type":"application/json"},body:JSON.stringify({sender:e.sender,message:n})}),a=null;try{a=await r.json()}catch{a=null}if(r.ok){let h=a&&Array.isArray(a.messages)?a.messages:[];h.length||b("bot",{text:"Xin l\u1ED7i, t\xF4i ch\u01B0a c\xF3 c\xE2u tr\u1EA3 l\u1EDDi cho c\xE2u h\u1ECFi n\xE0y."},!0),h.forEach(g=>b("bot",g,!0))}else{let h=a&&typeof a.detail=="string"?a.detail:"Kh\xF4ng g\u1EEDi \u0111\u01B0\u1EE3c tin nh\u1EAFn, vui l\xF2ng th\u1EED l\u1EA1i.";b("error",{text:h},!1)}}catch{b("error",{text:"Kh\xF4ng k\u1EBFt n\u1ED1i \u0111\u01B0\u1EE3c v\u1EDBi tr\u1EE3 l\xFD. Vui l\xF2ng ki\u1EC3m tra m\u1EA1ng v\xE0 th\u1EED l\u1EA1i."},!1)}finally{v=!1,S.disabled=!1,w.hidden=!0,k(),o===void 0&&y.focus()}}}i.addEventListener("click",()=>u(x.hidden,!0)),R.addEventListener("click",()=>u(!1,!0)),O.addEventListener("click",()=>{e.sender=X(),e.history=[],m.textContent="",_(),u(!0,!0)}),x.addEventListener("keydown",n=>{n.key==="Escape"&&(n.preventDefault(),u(!1,!0))}),E.addEventListener("submit",n=>{n.preventDefault();let o=y.value.trim();!o||v||(y.value="",B(o.slice(0,U)))}),_(),e.history.forEach(n=>M(n)),u(!!e.open,!1),window.TthcWidget={open:()=>u(!0,!0),close:()=>u(!1,!1)}}document.readyState==="loading"?document.addEventListener("DOMContentLoaded",j):j();})();
