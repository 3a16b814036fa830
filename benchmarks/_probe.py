import time, asyncio, json, sys
from tui.app import PaperdeckApp
import tui.app as appmod
from store import library as libmod
marks = {}
orig_search = libmod.Library.search
def search(self, text, sort="relevance", limit=None, ranked=True):
    t = time.perf_counter(); r = orig_search(self, text, sort, limit, ranked)
    if limit: marks.setdefault(text, {})["sql"] = (t, time.perf_counter())
    return r
libmod.Library.search = search
class P(PaperdeckApp):
    painted = {}
    def search_changed(self, event):
        marks.setdefault(event.value, {})["changed"] = time.perf_counter()
        super().search_changed(event)
    def show_result(self, result, generation, keep_paper, complete=True):
        super().show_result(result, generation, keep_paper, complete)
        self.painted.setdefault(generation, time.perf_counter())
    def show_facets(self, facets, generation):
        super().show_facets(facets, generation); self.faceted = generation
async def main(db):
    app = P(db); app.faceted = 0
    async with app.run_test(size=(160, 45)) as pilot:
        while 1 not in app.painted: await asyncio.sleep(0.001)
        while app.faceted < 1: await asyncio.sleep(0.001)
        await pilot.press("slash")
        text = ""
        for ch in "contrastive retrieval graph":
            text += ch
            before = app.generation; pressed = time.perf_counter()
            task = asyncio.create_task(pilot.press("space" if ch == " " else ch))
            while app.generation == before: await asyncio.sleep(0.0005)
            g = app.generation
            while g not in app.painted: await asyncio.sleep(0.0005)
            m = marks.get(text, {})
            c = m.get("changed", pressed); s0, s1 = m.get("sql", (c, c))
            print(f"{text!r:32} changed {1000*(c-pressed):6.1f} sqlstart {1000*(s0-c):6.1f} sql {1000*(s1-s0):6.1f} paint {1000*(app.painted[g]-s1):6.1f} total {1000*(app.painted[g]-pressed):6.1f}")
            while app.faceted < g: await asyncio.sleep(0.001)
            await task
asyncio.run(main(sys.argv[1]))
