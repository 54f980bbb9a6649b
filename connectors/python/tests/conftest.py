import sys
from pathlib import Path

# The tests' helpers, importable as `helpers`.
sys.path.insert(0, str(Path(__file__).parent))
