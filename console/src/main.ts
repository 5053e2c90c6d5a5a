import { createApp } from "vue";
import { createPinia } from "pinia";
import "element-plus/theme-chalk/el-message.css";
import "element-plus/theme-chalk/el-message-box.css";
import "element-plus/theme-chalk/el-loading.css";
import App from "./App.vue";
import { makeRouter } from "./router";
import { whenUnauthorized } from "./api/client";
import { useSession } from "./stores/session";
import "./style.css";

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
const router = makeRouter();
app.use(router);
whenUnauthorized(() => {
  // The desk token ended (logged out on the phone, two idle hours, revoked): back to the QR.
  const session = useSession(pinia);
  if (!session.token) return;
  session.forget();
  if (router.currentRoute.value.name !== "login") router.push({ name: "login", query: { expired: "1" } });
});
app.mount("#app");
