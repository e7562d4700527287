/* tthc widget — built from api/widget/ — inputs:3e904ec3e70f1651 */
(()=>{var D=`:host { all: initial; }
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
`;var F=/(https?:\/\/[^\s<>"'()]+[^\s<>"'().,;:!?])/g;function A(t,s,p){let c=String(p).split(/\*\*/);c.forEach((d,l)=>{let a=l%2===1&&l<c.length-1?t.createElement("strong"):s;a!==s&&s.appendChild(a),G(t,a,l%2===1&&l===c.length-1?"**"+d:d)})}function G(t,s,p){p.split(F).forEach((d,l)=>{if(d)if(l%2===1){let a=t.createElement("a");a.href=d,a.textContent=d,a.target="_blank",a.rel="noopener noreferrer",s.appendChild(a)}else s.appendChild(t.createTextNode(d))})}var J="tthc-widget:v1",W=200,j=2e3,f=document.currentScript,Z=f&&f.src?new URL(f.src,location.href).origin:location.origin,V=f&&f.dataset.title||"Tr\u1EE3 l\xFD th\u1EE7 t\u1EE5c h\xE0nh ch\xEDnh",$=!!(f&&f.dataset.open==="true"),K=/^[A-Za-z0-9_-]{8,64}$/;function q(){try{let t=JSON.parse(localStorage.getItem(J));if(t&&(t.sender===null||typeof t.sender=="string"&&K.test(t.sender))&&Array.isArray(t.history))return t}catch{}return{sender:null,history:[],open:$}}function n(t,s,p){let c=document.createElement(t);for(let[d,l]of Object.entries(s||{}))c.setAttribute(d,l);return p!==void 0&&(c.textContent=p),c}function X(){if(document.getElementById("tthc-widget"))return;let t=q(),s=()=>{t.history=t.history.slice(-W);try{localStorage.setItem(J,JSON.stringify(t))}catch{}},p=n("div",{id:"tthc-widget"}),c=p.attachShadow({mode:"open"}),d=document.createElement("style");d.textContent=D;let l=n("div",{class:"root",lang:"vi"});c.append(d,l);let a=n("button",{class:"bubble",type:"button","aria-controls":"tthc-panel","aria-expanded":"false","aria-label":"M\u1EDF tr\xF2 chuy\u1EC7n v\u1EDBi tr\u1EE3 l\xFD th\u1EE7 t\u1EE5c h\xE0nh ch\xEDnh",title:"H\u1ECFi tr\u1EE3 l\xFD th\u1EE7 t\u1EE5c h\xE0nh ch\xEDnh"});a.innerHTML='<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2zm3 6v2h2v-2H7zm4 0v2h2v-2h-2zm4 0v2h2v-2h-2z"/></svg>';let x=n("section",{class:"panel",id:"tthc-panel",role:"dialog","aria-label":V,hidden:""}),L=n("div",{class:"header"}),z=n("div",{class:"titles"});z.append(n("h2",{},V),n("p",{},"Tr\u1EE3 l\xFD t\u1EF1 \u0111\u1ED9ng, kh\xF4ng ph\u1EA3i c\xE1n b\u1ED9"));let R=n("button",{type:"button",class:"reset",title:"B\u1EAFt \u0111\u1EA7u cu\u1ED9c tr\xF2 chuy\u1EC7n m\u1EDBi"},"Tr\xF2 chuy\u1EC7n m\u1EDBi"),O=n("button",{type:"button",class:"close","aria-label":"\u0110\xF3ng c\u1EEDa s\u1ED5 tr\xF2 chuy\u1EC7n"},"\u2715");L.append(z,R,O);let m=n("ol",{class:"log",role:"log","aria-live":"polite","aria-label":"N\u1ED9i dung tr\xF2 chuy\u1EC7n"}),w=n("div",{class:"typing",role:"status",hidden:""}),B=n("span",{class:"dots","aria-hidden":"true"});B.append(n("span"),n("span"),n("span")),w.append(B,n("span",{},"Tr\u1EE3 l\xFD \u0111ang tr\u1EA3 l\u1EDDi\u2026"));let E=n("form",{class:"form"}),U=n("label",{for:"tthc-input",class:"sr-only"},"C\xE2u h\u1ECFi c\u1EE7a b\u1EA1n"),y=n("input",{id:"tthc-input",name:"message",autocomplete:"off",maxlength:String(j),placeholder:"V\xED d\u1EE5: \u0110\u0103ng k\xFD khai sinh c\u1EA7n g\xEC?","aria-label":"C\xE2u h\u1ECFi c\u1EE7a b\u1EA1n"}),S=n("button",{type:"submit",class:"send"},"G\u1EEDi");E.append(U,y,S);let P=n("p",{class:"note"},"Th\xF4ng tin ch\u1EC9 \u0111\u1EC3 tham kh\u1EA3o; \u0111\u1EEBng g\u1EEDi s\u1ED1 \u0111\u1ECBnh danh, m\u1EADt kh\u1EA9u hay d\u1EEF li\u1EC7u c\xE1 nh\xE2n.");x.append(L,m,w,E,P),l.append(x,a),document.body.appendChild(p);let v=!1;function k(){m.scrollTop=m.scrollHeight}function M(e){let o=n("li",{class:"msg msg--"+e.who}),r=e.msg||{};e.who==="user"&&o.appendChild(n("span",{class:"sr-only"},"B\u1EA1n: ")),e.who==="bot"&&o.appendChild(n("span",{class:"sr-only"},"Tr\u1EE3 l\xFD: ")),r.text&&A(document,o,r.text),r.image&&/^https?:\/\//.test(r.image)&&A(document,o,(r.text?`
`:"")+r.image);let i=Array.isArray(r.buttons)?r.buttons:[];if(i.length){let h=n("div",{class:"choices",role:"group","aria-label":"L\u1EF1a ch\u1ECDn g\u1EE3i \xFD"});i.forEach(g=>{let N=String(g.title||g.payload||""),T=String(g.payload||g.title||""),C=n("button",{type:"button","aria-pressed":"false"},N);C.addEventListener("click",()=>{if(C.setAttribute("aria-pressed","true"),/^https?:\/\//.test(T)){window.open(T,"_blank","noopener");return}I(T,N)}),h.appendChild(C)}),o.appendChild(h)}m.appendChild(o),k()}function b(e,o,r){let i={who:e,msg:{text:o.text||"",buttons:o.buttons||[],image:o.image||""}};M(i),r&&(t.history.push(i),s())}function _(){b("bot",{text:"Xin ch\xE0o! T\xF4i l\xE0 tr\u1EE3 l\xFD t\u1EF1 \u0111\u1ED9ng h\u1ED7 tr\u1EE3 tra c\u1EE9u th\u1EE7 t\u1EE5c h\xE0nh ch\xEDnh (kh\xF4ng ph\u1EA3i c\xE1n b\u1ED9). B\u1EA1n c\u1EA7n h\u1ECFi v\u1EC1 th\u1EE7 t\u1EE5c n\xE0o? V\xED d\u1EE5: \u201C\u0110\u0103ng k\xFD khai sinh c\u1EA7n g\xEC?\u201D"},!1)}function u(e,o){t.open=e,s(),x.hidden=!e,l.classList.toggle("open",e),a.setAttribute("aria-expanded",String(e)),a.setAttribute("aria-label",e?"Thu nh\u1ECF c\u1EEDa s\u1ED5 tr\xF2 chuy\u1EC7n":"M\u1EDF tr\xF2 chuy\u1EC7n v\u1EDBi tr\u1EE3 l\xFD th\u1EE7 t\u1EE5c h\xE0nh ch\xEDnh"),e?(k(),o&&y.focus()):o&&a.focus()}function H(e){let o=t.sender?{sender:t.sender,message:e}:{message:e};return fetch(Z+"/api/chat",{method:"POST",headers:{"Content-Type":"application/json"},body:JSON.stringify(o)})}async function I(e,o){if(!v){v=!0,S.disabled=!0,b("user",{text:o||e},!0),w.hidden=!1,k();try{let r=await H(e);r.status===403&&t.sender&&(t.sender=null,r=await H(e));let i=null;try{i=await r.json()}catch{i=null}if(r.ok&&i&&typeof i.sender=="string"&&K.test(i.sender)&&(t.sender=i.sender,s()),r.ok){let h=i&&Array.isArray(i.messages)?i.messages:[];h.length||b("bot",{text:"Xin l\u1ED7i, t\xF4i ch\u01B0a c\xF3 c\xE2u tr\u1EA3 l\u1EDDi cho c\xE2u h\u1ECFi n\xE0y."},!0),h.forEach(g=>b("bot",g,!0))}else{let h=i&&typeof i.detail=="string"?i.detail:"Kh\xF4ng g\u1EEDi \u0111\u01B0\u1EE3c tin nh\u1EAFn, vui l\xF2ng th\u1EED l\u1EA1i.";b("error",{text:h},!1)}}catch{b("error",{text:"Kh\xF4ng k\u1EBFt n\u1ED1i \u0111\u01B0\u1EE3c v\u1EDBi tr\u1EE3 l\xFD. Vui l\xF2ng ki\u1EC3m tra m\u1EA1ng v\xE0 th\u1EED l\u1EA1i."},!1)}finally{v=!1,S.disabled=!1,w.hidden=!0,k(),o===void 0&&y.focus()}}}a.addEventListener("click",()=>u(x.hidden,!0)),O.addEventListener("click",()=>u(!1,!0)),R.addEventListener("click",()=>{t.sender=null,t.history=[],m.textContent="",_(),u(!0,!0)}),x.addEventListener("keydown",e=>{e.key==="Escape"&&(e.preventDefault(),u(!1,!0))}),E.addEventListener("submit",e=>{e.preventDefault();let o=y.value.trim();!o||v||(y.value="",I(o.slice(0,j)))}),_(),t.history.forEach(e=>M(e)),u(!!t.open,!1),window.TthcWidget={open:()=>u(!0,!0),close:()=>u(!1,!1)}}document.readyState==="loading"?document.addEventListener("DOMContentLoaded",X):X();})();
