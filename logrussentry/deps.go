package logrussentry

import _ "github.com/sirupsen/logrus" // placeholder until the adapter lands
