// `npm start`: the API on the embedded database unless DATABASE_URL is set.
require('./register.js');
require('../../apps/api/src/main.ts');
