"""nbgrader configuration for the course.

The course root is the repository (the folder above this file); lessons are authored in
``solutions/`` (nbgrader's source) and released to ``labs/`` (nbgrader's release). Submissions,
autograded notebooks, feedback and the gradebook stay under ``grading/`` and are not committed.
Paths are built from this file's location, so every nbgrader command opens the same gradebook
whichever folder it is started from.
"""
import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)

c.CourseDirectory.course_id = "dl-fundamentals"
c.CourseDirectory.root = _ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "labs"
c.CourseDirectory.submitted_directory = os.path.join("grading", "submitted")
c.CourseDirectory.autograded_directory = os.path.join("grading", "autograded")
c.CourseDirectory.feedback_directory = os.path.join("grading", "feedback")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(_HERE, "gradebook.db")
# Data sets and pictures in a lesson folder travel with the notebook.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# The stub a student sees where the solution was.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading runs every notebook in the same kernel, with a per-cell time limit.
c.Execute.kernel_name = "python3"
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
# Every output is in when the last cell replies: stop the kernel at once instead of waiting about a second
# for it to shut down gracefully.
c.Execute.shutdown_kernel = "immediate"

# A grade cell a student deleted is put back (and scored) instead of silently vanishing.
c.OverwriteCells.add_missing_cells = True

# Widget cells can leave the grader waiting for a reply that has already come (jupyter/nbclient#312);
# course.execution makes it look again every half second instead of idling for the whole timeout.
# Submissions graded side by side would race for TCP ports; each grading kernel gets its own sockets.
try:
    from course.execution import patch_jupyter_client, private_kernels

    patch_jupyter_client()
    private_kernels(c)
except ImportError:  # the course package is not installed beside nbgrader
    pass
