// A suite whose test fails: the runner must report failure.
exports.run = async () => {
  throw new Error('deliberately failing suite');
};
