from grants.views.public import WorkerMemory, local_pages


def test_a_kept_value_is_handed_back_as_it_is_not_copied():
    parts = {"form": "<form>…</form>", "sql": {"first": ("SELECT 1", ())}}
    local_pages.set("test-parts", parts)
    assert local_pages.get("test-parts") is parts


def test_the_least_recently_used_value_goes_first():
    memory = WorkerMemory(timeout=600, max_entries=2)
    memory.set("a", 1)
    memory.set("b", 2)
    assert memory.get("a") == 1
    memory.set("c", 3)
    assert memory.get("b") is None
    assert (memory.get("a"), memory.get("c")) == (1, 3)


def test_a_value_expires_after_the_timeout():
    now = [1000.0]
    memory = WorkerMemory(timeout=600, max_entries=10, clock=lambda: now[0])
    memory.set("page", b"<html>")
    now[0] += 599
    assert memory.get("page") == b"<html>"
    now[0] += 1
    assert memory.get("page", "gone") == "gone"
    memory.set("page", b"<html>")
    memory.clear()
    assert memory.get("page") is None
