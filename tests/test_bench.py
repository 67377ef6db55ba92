"""The benchmark finds the visible check call of each graded cell."""
import nbformat

from course.bench import check_calls


def test_check_calls_reads_visible_calls_only():
    nb = nbformat.v4.new_notebook()
    graded = nbformat.v4.new_code_cell('check("step", step)\n### BEGIN HIDDEN TESTS\ncheck("step", step, seed=1)\n'
                                       'check("secret", f)\n### END HIDDEN TESTS')
    graded.metadata["nbgrader"] = {"grade": True}
    plain = nbformat.v4.new_code_cell('check("not_graded", g)')
    nb.cells = [plain, graded]
    assert check_calls(nb) == [("step", 'check("step", step)')]
