package zapsentry

import _ "go.uber.org/zap" // placeholder until the adapter lands
