// A server-paginated list whose filters live in the URL: a page can be bookmarked, reloaded and
// sent to a colleague, and the browser's back button undoes a filter.
import { reactive, ref, watch, type Ref } from "vue";
import { useRoute, useRouter } from "vue-router";
import { ApiError } from "../api/client";

export type Filters = Record<string, string | number | undefined>;

export function fromQuery<F extends Filters>(defaults: F, query: Record<string, unknown>): F {
  const out = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof F)[]) {
    const raw = query[key as string];
    if (typeof raw !== "string" || raw === "") continue;
    const wanted = typeof defaults[key] === "number" ? Number(raw) : raw;
    if (typeof wanted === "number" && !Number.isFinite(wanted)) continue;
    out[key] = wanted as F[keyof F];
  }
  return out;
}

export function toQuery(filters: Filters, defaults: Filters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== "" && value !== defaults[key]) out[key] = String(value);
  }
  return out;
}

export function usePaged<T, F extends Filters>(defaults: F, fetch: (f: F, limit: number, offset: number) => Promise<{ items: T[]; total: number }>, pageSize = 20) {
  const route = useRoute();
  const router = useRouter();
  const filters = reactive(fromQuery({ ...defaults, page: 1 } as F & { page: number }, route.query)) as F & { page: number };
  const items = ref([]) as Ref<T[]>;
  const total = ref(0);
  const loading = ref(false);
  const error = ref("");
  let generation = 0;

  async function load() {
    const mine = ++generation;
    loading.value = true;
    error.value = "";
    try {
      const page = await fetch(filters, pageSize, (filters.page - 1) * pageSize);
      if (mine !== generation) return; // a newer filter answered first
      items.value = page.items;
      total.value = page.total;
    } catch (e) {
      if (mine === generation) error.value = e instanceof ApiError ? e.message : String(e);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  watch(
    () => ({ ...filters }),
    (now, before) => {
      if (before && now.page === before.page && Object.keys(now).some((k) => k !== "page" && (now as Filters)[k] !== (before as Filters)[k])) {
        filters.page = 1; // a new filter starts on its first page
        return;
      }
      router.replace({ query: toQuery(filters, { ...defaults, page: 1 }) });
      load();
    },
    { immediate: true },
  );

  return { filters, items, total, loading, error, load, pageSize };
}
