"""snippets/pytorch.code-snippets: valid VS Code snippet JSON whose bodies, with every placeholder
at its default, are valid Python."""

import json
import os
import re
import unittest

from training_helpers import REPO

SNIPPETS = os.path.join(REPO, "snippets", "pytorch.code-snippets")
PLACEHOLDER = re.compile(r"\$\{(\d+):([^{}]*)\}")
CHOICE = re.compile(r"\$\{(\d+)\|([^|]*)\|\}")
MIRROR = re.compile(r"\$(\d+)")


def expand(body: str) -> str:
    """The text VS Code inserts when every placeholder keeps its default."""
    defaults = {}
    for number, default in PLACEHOLDER.findall(body):
        defaults.setdefault(number, default)
    for number, choices in CHOICE.findall(body):
        defaults.setdefault(number, choices.split(",")[0])
    body = PLACEHOLDER.sub(lambda m: m.group(2), body)
    body = CHOICE.sub(lambda m: m.group(2).split(",")[0], body)
    return MIRROR.sub(lambda m: defaults.get(m.group(1), ""), body)


class SnippetsTest(unittest.TestCase):
    def test_every_snippet_is_well_formed_python(self):
        with open(SNIPPETS, encoding="utf-8") as f:
            snippets = json.load(f)
        wanted = {
            "CNN module",
            "Training loop with autocast",
            "torch.compile",
            "Atomic checkpoint save/load",
            "DataLoader with pinned memory",
            "DDP setup",
        }
        self.assertLessEqual(wanted, set(snippets))
        for name, snippet in snippets.items():
            with self.subTest(snippet=name):
                self.assertEqual(snippet["scope"], "python")
                self.assertTrue(snippet["prefix"] and snippet["description"])
                self.assertIsInstance(snippet["body"], list)
                text = expand("\n".join(snippet["body"]))
                self.assertNotIn("${", text, "a placeholder the expansion did not understand")
                compile(text, name, "exec")

    def test_the_expansion_itself(self):
        self.assertEqual(expand("${1:model} = f($1, ${2|a,b|})$0"), "model = f(model, a)")


if __name__ == "__main__":
    unittest.main()
