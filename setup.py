"""Finds the packages: everything under promptbench/, and resources/ (with its icons) as promptbench.resources.

pyproject.toml holds the rest. This file exists because pyproject's `packages.find` cannot find a folder under
another name, and listing packages by hand lets a new subpackage go missing from the install.
"""

from setuptools import find_namespace_packages, find_packages, setup

setup(
    packages=find_packages(include=["promptbench", "promptbench.*"])
    + [
        "promptbench." + name
        for name in find_namespace_packages(include=["resources", "resources.*"], exclude=["*.__pycache__"])
    ]
)
