import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";
import { useSession } from "../stores/session";

export const routes: RouteRecordRaw[] = [
  { path: "/login", name: "login", component: () => import("../views/LoginView.vue"), meta: { public: true, title: "登录" } },
  { path: "/not-staff", name: "not-staff", component: () => import("../views/NotStaffView.vue"), meta: { title: "仅限工作人员" } },
  {
    path: "/",
    component: () => import("../components/AppShell.vue"),
    children: [
      { path: "", name: "home", component: () => import("../views/HomeView.vue"), meta: { title: "首页" } },
      { path: "orgs", name: "orgs", component: () => import("../views/OrgsView.vue"), meta: { title: "组织与市场" } },
      { path: "registrations", name: "registrations", component: () => import("../views/RegistrationsView.vue"), meta: { title: "登记审核" } },
      { path: "members", name: "members", component: () => import("../views/MembersView.vue"), meta: { title: "党员名册" } },
      { path: "members/import", name: "import", component: () => import("../views/ImportView.vue"), meta: { title: "导入名册" } },
      { path: "members/:id(\\d+)", name: "member", component: () => import("../views/MemberView.vue"), meta: { title: "党员详情" } },
      { path: "activities", name: "activities", component: () => import("../views/ActivitiesView.vue"), meta: { title: "三会一课" } },
      { path: "plan", name: "plan", component: () => import("../views/PlanView.vue"), meta: { title: "计划与台账" } },
      { path: "activities/:id(\\d+)", name: "activity", component: () => import("../views/ActivityView.vue"), meta: { title: "活动详情" } },
      { path: "evaluation", name: "evaluation", component: () => import("../views/EvaluationView.vue"), meta: { title: "先锋指数" } },
      { path: "floating", name: "floating", component: () => import("../views/FloatingView.vue"), meta: { title: "流动党员" } },
      { path: "markets", name: "markets", component: () => import("../views/MarketsView.vue"), meta: { title: "市场与六化" } },
      { path: "statistics", name: "statistics", component: () => import("../views/StatisticsView.vue"), meta: { title: "半年统计" } },
      { path: "plates", name: "plates", component: () => import("../views/PlatesView.vue"), meta: { title: "三亮牌" } },
      { path: "ratings", name: "ratings", component: () => import("../views/RatingsView.vue"), meta: { title: "群众评价" } },
      { path: "audit", name: "audit", component: () => import("../views/AuditView.vue"), meta: { title: "操作记录", admin: true } },
    ],
  },
  { path: "/:rest(.*)*", redirect: "/" },
];

export function makeRouter() {
  const router = createRouter({ history: createWebHistory("/console/"), routes });
  router.beforeEach(async (to) => {
    const session = useSession();
    if (to.meta.public) return true;
    if (!session.loggedIn) return { name: "login", query: to.fullPath !== "/" ? { next: to.fullPath } : {} };
    if (!session.me) {
      try {
        await session.load();
      } catch {
        session.forget();
        return { name: "login" };
      }
    }
    if (!session.isStaff && to.name !== "not-staff") return { name: "not-staff" };
    if (to.meta.admin && !session.isAdmin) return { name: "home" };
    return true;
  });
  router.afterEach((to) => {
    document.title = `${(to.meta.title as string) ?? ""} · 党建工作台`;
  });
  return router;
}
