package zerologsentry

import _ "github.com/rs/zerolog" // placeholder until the adapter lands
