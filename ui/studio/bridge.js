// What the properties panel asks of the page: the config, the procedure's forms and decision
// tables as they are now (tabs may add some), and the server's expression check.
export const studio = {
  config: null,
  formNames: () => [],
  decisionIds: () => [],
  checkExpression: async () => ({})
};
