from netdesigner.cli import main

raise SystemExit(main())
