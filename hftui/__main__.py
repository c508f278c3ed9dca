from hftui.cli import main

raise SystemExit(main())
