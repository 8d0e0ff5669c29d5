"""A class's homework: a roster, one exercise per student, the sheets marked, the grades and feedback.

``roster`` reads the class list; ``variants`` draws each student's exercise from the course seed and
the student's id; ``class_folder`` writes the class's folders and the teacher's index; ``submissions``
finds each student's sheet in a folder or an LMS's ZIP; ``grading`` marks the sheets with
:func:`chainrule.check` and a points scheme; ``gradebook`` writes the grades and the feedback;
``moodle_quiz`` and ``nbgrader_export`` put the exercise into Moodle and nbgrader, whose cells call
``notebook_marking``.
"""
